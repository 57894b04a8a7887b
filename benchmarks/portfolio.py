"""The portfolio benchmark's data: 200 assessments over 20 teams (target <= 100 ms median).

The figure of record is `python benchmarks/web.py --run portfolio`: it builds this data in the
served database (`build_served`) and times the page over HTTP beside /healthz on the same
server. Run alone, this script builds a fresh SQLite database (or reuses --keep) and times
GET /portfolio/ in process, without a server: useful with --profile to see where a request's
time goes. Run: python benchmarks/portfolio.py [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS = PORTFOLIO_TARGET_MS = 100.0
PASSWORD = "benchmark password 1"
ADMIN = "admin@example.com"


def build(app, teams: int, assessments: int, email: str = ADMIN,
          password: str = PASSWORD) -> None:
    """Two assessments imported from the examples, the rest started as their next reviews
    (rows copied, which is quick), spread over the teams; every tenth with two milestones, every
    third with a finished and an overdue tracked action. An administrator `email` sees all."""
    import datetime as dt

    from webapp.accounts import services as accounts
    from webapp.accounts.models import User
    from webapp.core import db
    from webapp.core.startup import get_content
    from webapp.core.views import result_cache
    from webapp.interchange import answers_file, next_review
    from webapp.teams.models import Membership, Team
    from webapp.tracking import milestones
    from webapp.tracking.models import FindingTracking

    texts = [(ROOT / "examples" / name).read_text(encoding="utf-8")
             for name in ("payments-platform.yaml", "internal-release-tooling.yaml")]
    with app.app_context(), db.session_scope(app) as session:
        admin = User(email=email, name="Admin", is_admin=True,
                     password_hash=accounts.hash_password(password))
        session.add(admin)
        made = [Team(name=f"Team {n:02d}") for n in range(teams)]
        for team in made:
            team.memberships.append(Membership(user=admin, role="owner"))
            session.add(team)
        session.flush()
        sources = [answers_file.import_new(session, made[0], admin, text,
                                           content=get_content())[0] for text in texts]
        for n in range(2, assessments):
            copy = next_review.clone(session, sources[n % 2], admin, f"System {n:03d}",
                                     content=get_content())
            copy.team_id = made[n % teams].id
            if n % 10 == 0:
                for label in ("Q1", "Q2"):
                    milestones.create_milestone(session, copy, admin, name=label, note="",
                                                cache=result_cache(app))
            if n % 3 == 0:
                session.add_all([
                    FindingTracking(assessment_id=copy.id, scope="system", status="done",
                                    rule_id="observe.regulated-without-audit-trail"),
                    FindingTracking(assessment_id=copy.id, scope="system", status="planned",
                                    rule_id="repeat.regulated-without-proven-recovery",
                                    due_date=dt.date(2020, 1, 1))])
        session.flush()


def build_served(env: dict[str, str], teams: int, assessments: int) -> str:
    """Build the data in the database `env` names (a server uses it); returns the email of the
    administrator who sees it all (password: web.py's)."""
    from web import PASSWORD as WEB_PASSWORD

    os.environ.update(env)
    from webapp.app import create_app

    email = f"portfolio-{os.getpid()}-{int(time.time())}@example.com"
    app = create_app({"TESTING": True})
    build(app, teams, assessments, email, WEB_PASSWORD)
    return email


def figures_ready(bench, path: str, expected: int, timeout: float = 900.0) -> float:
    """Seconds until the portfolio shows current figures for `expected` assessments (the
    queue worker summarizes them after the build)."""
    start = time.monotonic()
    conn = bench.connection()
    while time.monotonic() - start < timeout:
        conn.request("GET", path + "portfolio.json", headers={"Cookie": bench.cookie})
        rows = json.loads(conn.getresponse().read())["assessments"]
        if sum(1 for r in rows if not r.get("updating")) >= expected:
            return time.monotonic() - start
        time.sleep(1)
    raise SystemExit(f"the queue had not summarized {expected} assessments in {timeout:.0f} s")


#: The pages timed in process: (path, what each listed assessment puts in the page once).
PAGES = {"portfolio": ("/portfolio/", b'scope="row"'),
         "dashboard": ("/assessments/", b'class="assessment-link"')}


def measure(app, runs: int, page: str = "portfolio",
            expected: int = 200) -> tuple[float, list[float], list[float]]:
    path, marker = PAGES[page]
    client = app.test_client()
    response = client.post("/signin", data={"email": ADMIN, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    wall, cpu = [], []
    for _ in range(runs + 1):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200 and response.data.count(marker) >= expected
    return wall[0], wall[1:], cpu[1:]


def _profile(app) -> None:
    import cProfile
    import pstats

    client = app.test_client()
    client.post("/signin", data={"email": ADMIN, "password": PASSWORD})
    profiler = cProfile.Profile()
    profiler.runcall(client.get, "/portfolio/")
    order, lines = os.environ.get("PROFILE_SORT", "cumulative"), os.environ.get("PROFILE_LINES")
    pstats.Stats(profiler).sort_stats(order).print_stats(int(lines or 25))


def figures(teams: int = 20, assessments: int = 200, runs: int = 15,
            keep: Path | None = None, profile: bool = False) -> list[str]:
    """The lines to print (in process: no server, no HTTP)."""
    from webapp.app import create_app
    from webapp.core import migrate

    lines = []
    with tempfile.TemporaryDirectory() as folder:
        path = keep or Path(folder) / "portfolio.sqlite3"
        url, existing = f"sqlite:///{path}", path.exists()
        migrate.upgrade(url)
        # The queue runs its jobs at once here: the first request summarizes what is missing.
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark", "TESTING": True,
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                          "QUEUE_IMMEDIATE": True, "PDF_PRERENDER": False,
                          "RESULT_CACHE_DIR": str(Path(folder) / "result-cache"),
                          "FAULTLINE_CONTENT_DIR": ROOT, "FAULTLINE_ENV": "development"})
        if not existing:
            start = time.perf_counter()
            build(app, teams, assessments)
            lines.append(f"portfolio: built {assessments} assessments over {teams} teams in "
                         f"{time.perf_counter() - start:.1f} s")
        cold, warm, cpu = measure(app, runs, expected=assessments)
        # The team's list of assessments (GET /assessments/), the same data after the portfolio.
        _cold, dash_warm, dash_cpu = measure(app, runs, "dashboard", assessments)
        if profile:
            _profile(app)
    lines.append(f"in process, first request (summaries missing are made at once): {cold:.0f} ms")
    lines.append(f"in process, median of {len(warm)} requests: {statistics.median(warm):.1f} ms "
                 f"wall, {statistics.median(cpu):.1f} ms CPU; load average "
                 f"{os.getloadavg()[0]:.1f} (the figure of record: web.py --run portfolio)")
    lines.append(f"dashboard (/assessments/, {assessments} assessments), in process, median of "
                 f"{len(dash_warm)} requests: {statistics.median(dash_warm):.1f} ms wall, "
                 f"{statistics.median(dash_cpu):.1f} ms CPU")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--assessments", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="SQLite file to build once and reuse")
    parser.add_argument("--profile", action="store_true", help="print the warm request's "
                        "top functions")
    args = parser.parse_args()
    print("\n".join(figures(args.teams, args.assessments, args.runs, args.keep, args.profile)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
