from {{ cookiecutter.project_slug }}.core.email import message_to_payload, previews, with_html


def test_billing_mails_have_previews_with_a_text_and_an_html_part(db):
    mails = previews()

    for name in ("billing: payment failed", "billing: organization read-only"):
        payload = with_html(message_to_payload(mails[name]()))
        assert "Rocket Shop" in payload["subject"]
        assert "Rocket Shop" in payload["body"]
        assert [mime for _content, mime in payload["alternatives"]] == ["text/html"]
