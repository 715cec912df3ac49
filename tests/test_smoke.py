def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Sign in to Growth" in response.data


def test_signed_in_home(world, client_for):
    response = client_for(world.agent_a).get("/")
    assert response.status_code == 200
