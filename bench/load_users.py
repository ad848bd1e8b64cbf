"""Locust users for bench/load.py (run by it; not on its own).

Students open their own survey link (per-student tokens: the short-code form is never used, so its
per-address throttle cannot trigger) and answer every question one at a time, as on a phone, then send.
Coordinators sign in once and browse the programme list, the programme page, the review list and the report.
"""

import json
import os
import random
import re

from locust import HttpUser, between, task

DATA = json.loads(open(os.environ["BENCH_LOAD_DATA"]).read())  # noqa: SIM115
STUDENT_LINKS = list(DATA["students"])
COORDINATORS = list(DATA["coordinators"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = re.compile(r'<input type="radio"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')
TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"')


def _csrf(response):
    match = CSRF.search(response.text)
    if match is None:
        response.failure("no CSRF token in the page")
        return ""
    return match.group(1)


class Student(HttpUser):
    weight = 50
    fixed_count = 50
    wait_time = between(2, 5)  # reading and tapping one question

    def on_start(self):
        self.link = STUDENT_LINKS.pop()
        self.done = False

    @task
    def answer_survey(self):
        if self.done:
            return  # one submission per student; afterwards the phone is put away
        with self.client.get(self.link, name="/s/<token>/", catch_response=True) as page:
            if not page.url.endswith("/s/"):
                page.failure(f"token link led to {page.url}")
                return
            token = _csrf(page)
        page = self.client.post(
            "/s/", {"csrfmiddlewaretoken": token, "layout": "one", "easy_read": random.choice("01")}, name="/s/ start"
        )
        for _ in range(40):
            if page.url.endswith("/s/check/"):
                break
            self.wait()
            token = CSRF.search(page.text).group(1)
            data = {"csrfmiddlewaretoken": token, "next": "1"}
            radios = {}
            for name, value in RADIO.findall(page.text):
                radios.setdefault(name, []).append(value)
            data.update({name: random.choice(values) for name, values in radios.items()})
            data.update(dict.fromkeys(TEXTAREA.findall(page.text), "It was good."))
            with self.client.post(page.url, data, name="/s/q/<n>/", catch_response=True) as page:
                if page.status_code != 200 or ("/s/q/" not in page.url and not page.url.endswith("/s/check/")):
                    page.failure(f"question page led to {page.url} ({page.status_code})")
                    return
        with self.client.post(
            "/s/check/", {"csrfmiddlewaretoken": _csrf(page)}, name="/s/check/", catch_response=True
        ) as done:
            if not done.url.endswith("/s/done/"):
                done.failure(f"sending led to {done.url}")
                return
        self.done = True


class Coordinator(HttpUser):
    weight = 5
    fixed_count = 5
    wait_time = between(1, 3)

    def on_start(self):
        username = COORDINATORS.pop()
        page = self.client.get("/login/")
        with self.client.post(
            "/login/",
            {"csrfmiddlewaretoken": _csrf(page), "username": username, "password": DATA["password"]},
            name="/login/",
            catch_response=True,
        ) as response:
            if "/login/" in response.url:
                response.failure("sign-in failed")
        self.programme = DATA["programme"]

    def _page(self, url, name, expect):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.url.rstrip("/").endswith("/login") or expect not in response.text:
                response.failure(f"{name}: not the expected page ({response.url})")

    @task
    def programme_list(self):
        self._page("/programmes/", "/programmes/", "Bench week")

    @task(2)
    def programme_page(self):
        self._page(f"/programmes/{self.programme}/", "/programmes/<pk>/", "Bench week")

    @task
    def review(self):
        self._page(f"/schools/programmes/{self.programme}/nominations/", "/schools/programmes/<pk>/nominations/", "N1")

    @task
    def report(self):
        self._page(f"/surveys/programme/{self.programme}/report/", "/surveys/programme/<pk>/report/", "Bench week")
