import time

from {{ cookiecutter.project_slug }}.core.ids import uuid7


def test_uuid7_has_the_rfc_9562_version_and_variant():
    value = uuid7()

    assert value.version == 7
    assert value.variant == "specified in RFC 4122"


def test_uuid7_embeds_the_current_time_in_milliseconds():
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000

    assert before <= value.int >> 80 <= after


def test_uuid7_values_are_unique_and_ordered_across_milliseconds():
    first = uuid7()
    time.sleep(0.002)
    second = uuid7()

    assert first < second
    assert len({uuid7() for _ in range(10_000)}) == 10_000
