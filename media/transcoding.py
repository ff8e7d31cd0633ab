"""ffmpeg, and nothing else: probing a master, encoding it into an HLS ladder with a
master playlist and a poster frame in a working directory, and measuring what was encoded.
No database, no store: the service (media.services.transcoding) moves files and states
around these functions.

One ffmpeg process encodes every rung (split filter, `-var_stream_map`), reading the
master once; key frames are forced on segment boundaries so the rungs switch cleanly.
Each rung is then measured (`measure_rung`): libavformat (ffprobe's library, through PyAV)
reads its first segment for the codecs (from the H.264 sequence parameter set itself), the
picture size, the frame rate and the first presentation timestamp; the segment files'
sizes against their EXTINF durations give the peak and average bit rates (RFC 8216
§4.3.4.2). The master playlist declares these, never the profile's nominal values."""

from __future__ import annotations

import math
import re
import shutil
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


def ffmpeg_executable() -> str | None:
    """The ffmpeg to run: MEDIA_FFMPEG when it can be found; else, with the setting left
    at its default, the one of the imageio-ffmpeg wheel (pinned in requirements.lock), so
    `make run` transcodes on a machine without a system ffmpeg; else None."""
    if found := shutil.which(settings.MEDIA_FFMPEG):
        return found
    if settings.MEDIA_FFMPEG == "ffmpeg":
        try:
            import imageio_ffmpeg

            return imageio_ffmpeg.get_ffmpeg_exe()
        except (ImportError, RuntimeError):
            return None
    return None


def _ffmpeg() -> str:
    # a missing program fails like any other ffmpeg error (the task records it)
    return ffmpeg_executable() or settings.MEDIA_FFMPEG


def _tail(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return text.strip()[-STDERR_TAIL:]


def _open(path: Path):
    """The file opened by libavformat (PyAV: ffprobe's own library, no program to find)."""
    import av

    try:
        return av.open(str(path))
    except av.error.FFmpegError as exc:
        raise TranscodeError(f"probe: {exc}", retryable=False) from exc


def probe(path: Path) -> Probe:
    """Width, height, duration and audio presence; TranscodeError (not retryable) when
    the file is not a video ffmpeg can read."""
    with _open(path) as container:
        video = next(iter(container.streams.video), None)
        if video is None or not video.codec_context.height:
            raise TranscodeError("probe: no video stream", retryable=False)
        if container.duration:
            duration = container.duration / 1_000_000  # AV_TIME_BASE
        else:
            duration = float((video.duration or 0) * video.time_base)
        return Probe(
            width=video.codec_context.width,
            height=video.codec_context.height,
            duration=duration,
            has_audio=bool(container.streams.audio),
        )


def rungs_for(source_height: int, ladder: Sequence[Rung]) -> list[Rung]:
    """The rungs no taller than the source (the smallest one when the source is tinier)."""
    ladder = sorted(ladder, key=lambda r: -r.height)
    fitting = [r for r in ladder if r.height <= source_height]
    return fitting or ladder[-1:]


def ladder_command(
    source: Path, out_dir: Path, rungs: Sequence[Rung], *, has_audio: bool, preset: str = ""
) -> list[str]:
    """The one ffmpeg command encoding `rungs` into `out_dir/<rung>/index.m3u8` + segments
    and `out_dir/master.m3u8` (x264 `preset`: MEDIA_X264_PRESET unless given)."""
    n = len(rungs)
    seg = settings.MEDIA_HLS_SEGMENT_SECONDS
    split = f"[0:v]split={n}" + "".join(f"[s{i}]" for i in range(n))
    scales = ";".join(f"[s{i}]scale=-2:{r.height}[v{i}]" for i, r in enumerate(rungs))
    cmd = [
        _ffmpeg(), "-hide_banner", "-nostdin", "-y", "-i", str(source),
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
        "-c:v", "libx264", "-preset", preset or settings.MEDIA_X264_PRESET, "-profile:v", "main",
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
    preset: str = "",
) -> Ladder:
    """Probe the master, encode the rungs no taller than it and a poster, measure them."""
    info = probe(source)
    rungs = rungs_for(info.height, ladder)
    run_with_progress(
        ladder_command(source, out_dir, rungs, has_audio=info.has_audio, preset=preset),
        duration=info.duration,
        on_progress=on_progress,
    )
    run(
        poster_command(
            source,
            out_dir / "poster.jpg",
            at_seconds=min(10.0, info.duration / 3),
            height=info.height,
        )
    )
    return Ladder(info, [measure_rung(out_dir / r.name, r.name) for r in rungs], out_dir)


def poster_command(source: Path, target: Path, *, at_seconds: float, height: int) -> list[str]:
    return [
        _ffmpeg(), "-hide_banner", "-nostdin", "-y", "-ss", f"{at_seconds:.2f}",
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


def avc_codec(extradata: bytes) -> str:
    """`avc1.PPCCLL` from the H.264 sequence parameter set: profile_idc, the constraint
    flags and level_idc, as RFC 6381 asks (avcC record or Annex B start codes)."""
    if extradata[:1] == b"\x01" and len(extradata) >= 4:  # avcC (MP4)
        return f"avc1.{extradata[1:4].hex()}"
    for match in re.finditer(b"\x00\x00\x01", extradata):
        nal = extradata[match.end() : match.end() + 4]
        if len(nal) == 4 and nal[0] & 0x1F == 7:  # a sequence parameter set
            return f"avc1.{nal[1:4].hex()}"
    raise TranscodeError("probe: no H.264 sequence parameter set in the rendition")


def measure_rung(directory: Path, name: str) -> EncodedRung:
    """Its first segment as libavformat reads it (codecs, size, frame rate, first
    timestamp) and the sizes of all its segments against their durations (bit rates)."""
    target, segments = media_playlist((directory / "index.m3u8").read_text())
    if not segments:
        raise TranscodeError(f"rung {name}: its playlist lists no segment")
    sizes = [(duration, (directory / uri).stat().st_size) for duration, uri in segments]
    with _open(directory / segments[0][1]) as container:
        video = next(iter(container.streams.video), None)
        if video is None or video.codec_context.name != "h264":
            raise TranscodeError(f"rung {name}: no H.264 video stream")
        codecs = [avc_codec(video.codec_context.extradata or b"")]
        for audio in container.streams.audio:
            if audio.codec_context.name != "aac":
                raise TranscodeError(f"rung {name}: unexpected audio {audio.codec_context.name}")
            codecs.append(f"mp4a.40.{_AAC_OBJECT_TYPES.get(audio.codec_context.profile, 2)}")
        rate = video.average_rate or video.guessed_rate
        if not rate:
            raise TranscodeError(f"rung {name}: no frame rate")
        start_pts = round(video.start_time * video.time_base * 90_000)
        width, height = video.codec_context.width, video.codec_context.height
    total_seconds = sum(d for d, _ in sizes)
    total_bytes = sum(s for _, s in sizes)
    return EncodedRung(
        name=name,
        width=width,
        height=height,
        frame_rate=round(float(rate), 3),
        codecs=",".join(codecs),
        peak_bitrate=peak_segment_bitrate(sizes, target),
        average_bitrate=math.ceil(total_bytes * 8 / total_seconds),
        start_pts=start_pts,
        duration=total_seconds,
        size=total_bytes,
    )
