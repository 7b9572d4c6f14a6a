def test_home(client):
    r = client.get("/")
    assert r.status_code == 200, r.data[:2000]
    r = client.get("/login")
    assert r.status_code == 200
    r = client.get("/healthz")
    assert r.json == {"status": "ok"}
