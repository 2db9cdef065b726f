"""The basic life of a klant on the reference server."""

from tests.reference_server.conftest import API


def test_create_read_delete(server):
    created = server.create()
    url = created.json()["url"]
    assert created.headers["location"] == url
    assert server.get(url).status_code == 200
    assert server.client.delete(url, headers=server.headers()).status_code == 204
    assert server.get(url).status_code == 404


def test_live_server_answers_over_http(live_server):
    import httpx

    response = httpx.get(f"{live_server.url}/klanten", timeout=5)
    assert response.status_code == 403
    assert response.headers["api-version"] == "1.0.0"
    assert API in live_server.url
