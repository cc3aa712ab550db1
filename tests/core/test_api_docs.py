from django.contrib.staticfiles import finders


def test_api_docs_are_served_by_the_app_not_a_cdn(client, make_user):
    """A plant network often has no internet access: Swagger UI must come from our own static files."""
    client.force_login(make_user("planner"))
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
