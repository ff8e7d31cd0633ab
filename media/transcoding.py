"""ffmpeg, and nothing else: probing a master, and encoding it into an HLS ladder with a
master playlist and a poster frame, in a working directory. No database, no store: the
service (media.services.transcoding) moves files and states around these functions.

One ffmpeg process encodes every rung (split filter, `-var_stream_map`), reading the
master once; key frames are forced on segment boundaries so the rungs switch cleanly."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

STDERR_TAIL = 2000


class TranscodeError(Exception):
    """ffmpeg failed. `retryable` is False when retrying cannot help (the input is not a
    video); the message ends with ffmpeg's own error output."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Rung:
    name: str
    height: int
    video_kbps: int
    audio_kbps: int


@dataclass(frozen=True)
class Probe:
    width: int
    height: int
    duration: float
    has_audio: bool


def _tail(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return text.strip()[-STDERR_TAIL:]


def probe(path: Path) -> Probe:
    """Width, height, duration and audio presence; TranscodeError (not retryable) when
    the file is not a video ffmpeg can read."""
    proc = subprocess.run(
        [settings.MEDIA_FFPROBE, "-v", "error", "-print_format", "json",
         "-show_streams", "-show_format", str(path)],
        capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise TranscodeError(f"ffprobe: {_tail(proc.stderr)}", retryable=False)
    info = json.loads(proc.stdout or b"{}")
    streams = info.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None or not video.get("height"):
        raise TranscodeError(
            f"ffprobe: no video stream. {_tail(proc.stderr)}".strip(), retryable=False
        )
    duration = float(info.get("format", {}).get("duration") or video.get("duration") or 0)
    return Probe(
        width=int(video["width"]),
        height=int(video["height"]),
        duration=duration,
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
    )


def rungs_for(source_height: int, ladder: Sequence[Rung]) -> list[Rung]:
    """The rungs no taller than the source (the smallest one when the source is tinier)."""
    ladder = sorted(ladder, key=lambda r: -r.height)
    fitting = [r for r in ladder if r.height <= source_height]
    return fitting or ladder[-1:]


def ladder_command(
    source: Path, out_dir: Path, rungs: Sequence[Rung], *, has_audio: bool
) -> list[str]:
    """The one ffmpeg command encoding `rungs` into `out_dir/<rung>/index.m3u8` + segments
    and `out_dir/master.m3u8`."""
    n = len(rungs)
    seg = settings.MEDIA_HLS_SEGMENT_SECONDS
    split = f"[0:v]split={n}" + "".join(f"[s{i}]" for i in range(n))
    scales = ";".join(f"[s{i}]scale=-2:{r.height}[v{i}]" for i, r in enumerate(rungs))
    cmd = [
        settings.MEDIA_FFMPEG, "-hide_banner", "-nostdin", "-y", "-i", str(source),
        "-progress", "pipe:1", "-nostats",
        "-filter_complex", f"{split};{scales}",
    ]  # fmt: skip
    for i, r in enumerate(rungs):
        cmd += ["-map", f"[v{i}]", f"-b:v:{i}", f"{r.video_kbps}k",
                f"-maxrate:v:{i}", f"{int(r.video_kbps * 1.07)}k",
                f"-bufsize:v:{i}", f"{r.video_kbps * 2}k"]  # fmt: skip
    if has_audio:
        for i, r in enumerate(rungs):
            cmd += ["-map", "0:a:0", f"-b:a:{i}", f"{r.audio_kbps}k"]
        cmd += ["-c:a", "aac", "-ac", "2"]
    cmd += [
        "-c:v", "libx264", "-preset", settings.MEDIA_X264_PRESET, "-profile:v", "main",
        "-pix_fmt", "yuv420p", "-sc_threshold", "0",
        "-force_key_frames", f"expr:gte(t,n_forced*{seg})",
        "-f", "hls", "-hls_time", str(seg), "-hls_playlist_type", "vod",
        "-hls_flags", "independent_segments",
        "-hls_segment_filename", str(out_dir / "%v" / "seg_%05d.ts"),
        "-master_pl_name", "master.m3u8",
        "-var_stream_map",
        " ".join(
            f"v:{i},a:{i},name:{r.name}" if has_audio else f"v:{i},name:{r.name}"
            for i, r in enumerate(rungs)
        ),
        str(out_dir / "%v" / "index.m3u8"),
    ]  # fmt: skip
    return cmd


def run_with_progress(
    cmd: list[str], *, duration: float, on_progress: Callable[[int], None] | None = None
) -> None:
    """Run ffmpeg, reporting whole percents from its `-progress` output; TranscodeError
    with the tail of its stderr when it fails or overruns MEDIA_TRANSCODE_TIME_LIMIT."""
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True)
        last = -1
        try:
            for line in proc.stdout:
                key, _, value = line.strip().partition("=")
                if key in {"out_time_us", "out_time_ms"} and value.isdigit() and duration > 0:
                    percent = min(99, int(int(value) / 1e6 / duration * 100))
                    if on_progress and percent >= last + 5:
                        last = percent
                        on_progress(percent)
            proc.wait(timeout=settings.MEDIA_TRANSCODE_TIME_LIMIT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise TranscodeError("ffmpeg: time limit exceeded") from None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if proc.returncode != 0:
            stderr.seek(0)
            raise TranscodeError(f"ffmpeg exited with {proc.returncode}: {_tail(stderr.read())}")


def poster_command(source: Path, target: Path, *, at_seconds: float, height: int) -> list[str]:
    return [
        settings.MEDIA_FFMPEG, "-hide_banner", "-nostdin", "-y", "-ss", f"{at_seconds:.2f}",
        "-i", str(source), "-frames:v", "1", "-vf", f"scale=-2:{min(height, 720)}",
        "-q:v", "3", str(target),
    ]  # fmt: skip


def run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, timeout=600, check=False)
    if proc.returncode != 0:
        raise TranscodeError(f"ffmpeg exited with {proc.returncode}: {_tail(proc.stderr)}")
