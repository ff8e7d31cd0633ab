"""Media benchmarks (`make bench`), each against its own baseline measured in the same run:

- `master_upload_1gib`: a 1 GiB master through the presigned multipart flow (initiate
  with each part's SHA-256, parts of 8 MiB PUT over HTTP to presigned URLs from 10
  threads with their signed x-amz-checksum-sha256, complete: the store's size and its
  checksum of the parts' checksums compared, the asset `verified` with no read-back) vs
  plain boto3 `upload_file` (its own multipart: 8 MiB parts, 10 threads, CRC32 part
  checksums) of the same file to the same `moto_server` (after one uncounted boto3 upload
  that grows moto's memory). Throughput in MiB/s; ratio = flow / boto3 (aim ≥ 0.9).
  The client's hashing (whole file and parts) happens before and is not timed, as
  boto3's CRC32 is computed while it sends. The `#` line splits the flow into the PUTs
  and the completion.
- `transcode_ladder`: the transcoding task on a generated 1080p clip (download from the
  store, probe, the ladder, poster, upload of every file, the database) vs the bare
  ffmpeg command of the same ladder on the same local file. Ratio = task / bare (≤ 1.1).
- `playback_authorization`: concurrent `POST /api/v1/films/{id}/playback/` by the demo
  patron (rights engine, subscription, stream count under the row lock, session row)
  vs the ping baseline measured the same way. Since one session per viewer and film,
  each of these repeated starts by one patron of one film also ends the previous session
  and records its view, as a reload does (bench/playback.py's mixed load starts films
  with many viewers). Ratio (aim ≥ 0.5). A `#` line gives, for
  scale, the patron's `GET /api/v1/me/` (token and one query, no write) measured the same
  way: about the most an authenticated request that reads the database reaches here.

`python bench/media.py store` runs the first two in-process (Django set up on the bench
database, the object store pointed at a moto_server this script starts and stops).
Environment: BENCH_UPLOAD_MIB (1024), BENCH_CLIP_SECONDS (20).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bookings import _load  # noqa: E402
from bench.http_load import request  # noqa: E402

MIB = 1024 * 1024
PLAYBACK_FIGURES = ("playback_authorization",)
STORE_FIGURES = ("master_upload_1gib", "transcode_ladder")

#: A film the demo patron may stream at home today, with a ready rendition (rows only: the
#: authorization does not read the store), and a stream cap that the run cannot reach
#: (the bench database only).
PREPARE_SNIPPET = """
import json
from django.utils import timezone
from catalogue.models import Film
from institutions.models import Institution
from media.models import Asset, EncodingProfile
from rights.decisions import decide_many
from subscriptions.models import Plan
from subscriptions.selectors import subscriptions_covering
library = Institution.objects.get(code="BIB-00001")
today = timezone.localdate()
subscription = next(s for s in subscriptions_covering(library=library, on=today)
                    if s.plan.includes_streaming)
Plan.objects.filter(pk=subscription.plan_id).update(max_concurrent_streams=32000)
films = list(Film.objects.filter(status="in_catalogue")[:400])
decisions = decide_many(library, films, ["stream_home"], on=today)
film_id = next(fid for fid, d in decisions.items() if d["stream_home"].allowed)
master, _ = Asset.objects.get_or_create(
    storage_key=f"bench/{film_id}/master.mov",
    defaults={"film_id": film_id, "kind": "master", "status": "ready"})
Asset.objects.get_or_create(
    storage_key=f"bench/{film_id}/360p/index.m3u8",
    defaults={"film_id": film_id, "kind": "hls_rendition", "status": "ready", "source": master,
              "profile": EncodingProfile.objects.get(name="360p"), "width": 640, "height": 360})
print("FILM=" + json.dumps(film_id))
"""


def prepare_playback(env: dict[str, str]) -> int:
    proc = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PREPARE_SNIPPET],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    for line in proc.stdout.splitlines():
        if line.startswith("FILM="):
            return json.loads(line[5:])
    raise RuntimeError(f"bench media: preparation failed: {proc.stderr[-2000:]}")


def measure_playback(port: int, env: dict[str, str], *, seconds, concurrency) -> list[str]:
    """The playback figure's lines (a `#` line saying why when it cannot be measured)."""
    from bench.http_load import LoadError, obtain_token

    try:
        film_id = prepare_playback(env)
        token = obtain_token(port, "patron-demo", "demo-catalogue-2017")
    except (RuntimeError, LoadError) as exc:
        return [f"# playback_authorization: not measured: {str(exc)[-300:]}"]
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    path = f"/api/v1/films/{film_id}/playback/"
    status, body = request(port, "POST", path, headers=headers)
    if status != 201:
        return [f"# playback_authorization: sample answered HTTP {status}: {body[:300]!r}"]

    def start(n, i):
        return request(port, "POST", path, headers=headers)[0]

    def ping(n, i):
        return request(port, "GET", "/api/v1/ping/", headers={"Accept": "application/json"})[0]

    def me(n, i):
        return request(port, "GET", "/api/v1/me/", headers=headers)[0]

    ping_ok, _, ping_s = _load(port, seconds, concurrency, ping)
    ok, refused, start_s = _load(port, seconds, concurrency, start)
    me_ok, _, me_s = _load(port, seconds, concurrency, me)
    ping_rps, start_rps, me_rps = ping_ok / ping_s, ok / start_s, me_ok / me_s
    return [
        f"playback_authorization: {start_rps:.1f} starts/s"
        f" (ratio vs baseline: {start_rps / ping_rps:.2f})",
        f"#   {concurrency} concurrent clients, fresh connection per request, {ok} sessions"
        f" started, {refused} refused; baseline ping measured the same way: {ping_rps:.1f} req/s",
        # what any request that authenticates and reads the database costs here
        f"#   for scale: the patron's GET /api/v1/me/ (token, one query, no write) measured the"
        f" same way: {me_rps:.1f} req/s ({me_rps / ping_rps:.2f} of the ping); starts/s are"
        f" {start_rps / me_rps:.2f} of it",
    ]


# --- in the bench environment's Django: object store and transcoding --------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto():
    import requests

    port = _free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            return proc, f"http://127.0.0.1:{port}"
        except requests.RequestException:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.1)


def _sha256_of(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


def _part_sha256s(path: Path, part_size: int) -> list[str]:
    import hashlib

    sums = []
    with path.open("rb") as handle:
        while chunk := handle.read(part_size):
            sums.append(hashlib.sha256(chunk).hexdigest())
    return sums


def _upload_figures(store, work: Path) -> list[str]:
    import requests
    from django.db import transaction

    from accounts.models import User
    from catalogue.models import Film
    from media.models import Asset
    from media.services import uploads

    size_mib = int(os.environ.get("BENCH_UPLOAD_MIB", "1024"))
    path = work / "master.bin"
    with path.open("wb") as handle:
        block = os.urandom(MIB)
        for i in range(size_mib):
            handle.write(block[i % 64 :] + block[: i % 64])
    size = path.stat().st_size
    declared = _sha256_of(path)  # the client's work, before the upload: not timed
    editor = User.objects.filter(role__in=User.CINEMA_ROLES).order_by("pk").first()
    film = Film.objects.order_by("pk").first()
    part_size = int(os.environ.get("BENCH_PART_MIB", "8")) * MIB
    part_sha256 = _part_sha256s(path, part_size)  # the client's work too: not timed

    def plain_boto3() -> float:
        """boto3's own multipart upload (8 MiB parts, 10 threads by default)."""
        t0 = time.perf_counter()
        store.client.upload_file(str(path), store.bucket, "bench/plain-boto3.bin")
        elapsed = time.perf_counter() - t0
        store.delete("bench/plain-boto3.bin")
        return elapsed

    # moto's first 1 GiB completion in a fresh process pays for growing its memory: one
    # boto3 upload first, not counted, so that neither side pays it.
    plain_boto3()

    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=10))

    def put(part):
        n, url = part["part_number"], part["url"]
        with path.open("rb") as handle:
            handle.seek((n - 1) * part_size)
            data = handle.read(part_size)
        answer = session.put(url, data=data, headers=part["headers"], timeout=300)
        answer.raise_for_status()
        return {"part_number": n, "etag": answer.headers["ETag"].strip('"')}

    class Discard(Exception):
        """Rolls the bench's rows back (and the transcoding queued on commit with them)."""

    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            upload = uploads.upload_initiate(
                film=film, kind="master", size=size, sha256=declared, part_size=part_size,
                started_by=editor, filename="bench.mov", part_sha256=part_sha256,
            )  # fmt: skip
            urls = uploads.part_urls(upload, range(1, upload.part_count + 1))
            t_put = time.perf_counter()
            with ThreadPoolExecutor(max_workers=10) as pool:  # as boto3's default
                parts = list(pool.map(put, urls))
            put_s = time.perf_counter() - t_put
            t_c = time.perf_counter()
            uploads.upload_complete(upload=upload, parts=parts, by=editor)
            complete_s = time.perf_counter() - t_c
            flow_s = time.perf_counter() - t0  # verified by now: nothing left to do
            asset = Asset.objects.get(pk=upload.asset_id)
            if asset.status != Asset.Status.VERIFIED:
                raise RuntimeError(f"upload ended {asset.status}: {asset.error}")
            raise Discard
    except Discard:
        pass
    store.delete(asset.storage_key)
    boto_s = plain_boto3()
    path.unlink()
    flow_rate, boto_rate = size_mib / flow_s, size_mib / boto_s
    return [
        f"master_upload_1gib: {flow_rate:.1f} MiB/s (ratio vs baseline: {flow_rate / boto_rate:.2f})",
        f"#   {size_mib} MiB in {upload.part_count} presigned parts of {part_size // MIB} MiB"
        f" (10 threads): {flow_s:.1f} s; plain boto3 upload_file to the same moto_server:"
        f" {boto_s:.1f} s ({boto_rate:.1f} MiB/s); the PUTs alone {put_s:.1f} s, complete"
        f" (with the verification of the parts' SHA-256 by the store) {complete_s:.1f} s",
    ]


def _transcode_figures(store, work: Path) -> list[str]:
    from django.conf import settings

    from catalogue.models import Film
    from media import transcoding
    from media.models import Asset, EncodingProfile
    from media.tasks import transcode_master

    seconds = int(os.environ.get("BENCH_CLIP_SECONDS", "20"))
    clip = work / "clip.mp4"
    subprocess.run(
        [settings.MEDIA_FFMPEG, "-hide_banner", "-nostdin", "-y",
         "-f", "lavfi", "-i", f"testsrc2=duration={seconds}:size=1920x1080:rate=25",
         "-f", "lavfi", "-i", f"sine=duration={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(clip)],
        check=True, capture_output=True,
    )  # fmt: skip
    ladder = [
        transcoding.Rung(p.name, p.height, p.video_bitrate_kbps, p.audio_bitrate_kbps)
        for p in EncodingProfile.objects.filter(is_active=True)
    ]
    rungs = transcoding.rungs_for(1080, ladder)

    bare_dir = work / "bare"
    t0 = time.perf_counter()
    transcoding.run_with_progress(
        transcoding.ladder_command(clip, bare_dir, rungs, has_audio=True), duration=seconds
    )
    bare_s = time.perf_counter() - t0

    film = Film.objects.order_by("pk").first()
    key = f"bench/transcode/{time.time_ns()}.mp4"
    store.upload_file(clip, key, "video/mp4")
    master = Asset.objects.create(
        film=film, kind="master", storage_key=key, size=clip.stat().st_size, status="verified"
    )
    t0 = time.perf_counter()
    status = transcode_master.apply(args=(master.pk,)).result
    task_s = time.perf_counter() - t0
    if status != "ready":
        master.refresh_from_db()
        raise RuntimeError(f"transcoding ended {status}: {master.error[-500:]}")
    outputs = master.derived.count()
    master.derived.all().delete()
    Asset.objects.filter(pk=master.pk).update(status="failed", error="bench")
    return [
        f"transcode_ladder: {task_s:.1f} s (ratio vs baseline: {task_s / bare_s:.2f})",
        f"#   {seconds} s of 1080p25 into {', '.join(r.name for r in rungs)} ({outputs} assets):"
        f" the task (download, probe, ladder, poster, upload, database) {task_s:.1f} s; the"
        f" bare ffmpeg ladder command on the local file {bare_s:.1f} s",
    ]


def store_main(names=STORE_FIGURES) -> int:
    moto, endpoint = start_moto()
    try:
        os.environ.update(
            OBJECT_STORE_BUCKET="bench-media",
            OBJECT_STORE_ENDPOINT_URL=endpoint,
            OBJECT_STORE_ACCESS_KEY_ID="bench",
            OBJECT_STORE_SECRET_ACCESS_KEY="bench",  # noqa: S106 (moto accepts any)
            CELERY_TASK_ALWAYS_EAGER="true",
        )
        import django

        django.setup()
        from media.objectstore import get_store

        store = get_store()
        store.client.create_bucket(Bucket=store.bucket)
        with tempfile.TemporaryDirectory(prefix="bench-media-") as work:
            lines = []
            if "master_upload_1gib" in names:
                lines += _upload_figures(store, Path(work))
            if "transcode_ladder" in names:
                lines += _transcode_figures(store, Path(work))
        for line in lines:
            print(line, flush=True)
        return 0
    finally:
        stop_moto(moto)


def stop_moto(moto) -> None:
    moto.terminate()
    try:
        moto.wait(timeout=10)
    except subprocess.TimeoutExpired:
        moto.kill()


def measure_store(env: dict[str, str], names=STORE_FIGURES) -> list[str]:
    """Runs `store_main` in a subprocess with the bench environment; its figure lines."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__)), "store", *names],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        return [f"# media store figures failed: {proc.stderr.strip()[-1500:]}"]
    return proc.stdout.splitlines()


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.production")
    if sys.argv[1:2] == ["store"] and set(sys.argv[2:]) <= set(STORE_FIGURES):
        sys.exit(store_main(tuple(sys.argv[2:]) or STORE_FIGURES))
    sys.exit(f"usage: bench/media.py store [{' | '.join(STORE_FIGURES)} ...]")
