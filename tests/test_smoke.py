def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_admin_sees_home(admin_client):
    response = admin_client.get("/")
    assert response.status_code == 200
    assert b"Waiting for you" in response.data
