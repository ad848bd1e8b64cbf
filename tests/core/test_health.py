import pytest


def test_health_reports_database_and_worker(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.live_services
def test_health_does_a_real_worker_round_trip(client, live_worker):
    response = client.get("/health/")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["worker"] == "ok"
