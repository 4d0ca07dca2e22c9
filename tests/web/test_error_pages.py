from django.template.loader import render_to_string


def test_the_not_found_page_does_not_say_whether_the_record_exists(signed_in, personas):
    html = signed_in(personas.dir_a).get("/children/not-a-child/").content.decode()
    assert "不存在，或者不在您的管辖范围内" in html


def test_the_error_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "出错了" in html and "可能没有保存" in html
