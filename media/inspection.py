"""What an uploaded file really is, read from its content — never from the name or type
the client gave: libavformat (PyAV, ffprobe's library) for video and audio, Pillow for
images, a WebVTT parse for subtitles. The answer gives the extension and content type the file is stored and served
with; anything else is refused (`NotWhatItClaims`). No database, no store: the service
(media.services.uploads) fetches the file and records the answer.

libavformat reads only the demuxers listed in `CONTAINERS` (no playlist, no concat list:
a file cannot make it open another) and only the protocols of its source (a local file,
or the store's presigned HTTP URL for large files, read in ranges).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import av
import webvtt
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

#: kinds of asset by what they must be
VIDEO_KINDS = {"master", "trailer"}
AUDIO_KINDS = {"audio_description"}
IMAGE_KINDS = {"poster", "still"}
SUBTITLE_KINDS = {"subtitles"}

#: libavformat's demuxer names (ffprobe's `format_name`) we accept, with the extension and content
#: type of a video / of a sound-only file in that container
CONTAINERS = {
    "mov,mp4,m4a,3gp,3g2,mj2": ((".mp4", "video/mp4"), (".m4a", "audio/mp4")),
    "matroska,webm": ((".mkv", "video/x-matroska"), (".mka", "audio/x-matroska")),
    "mpegts": ((".ts", "video/mp2t"), (".ts", "video/mp2t")),
    "mxf": ((".mxf", "application/mxf"), (".mxf", "application/mxf")),
    "avi": ((".avi", "video/x-msvideo"), (".avi", "video/x-msvideo")),
    "wav": (None, (".wav", "audio/wav")),
    "mp3": (None, (".mp3", "audio/mpeg")),
    "flac": (None, (".flac", "audio/flac")),
    "ogg": (None, (".ogg", "audio/ogg")),
    "aac": (None, (".aac", "audio/aac")),
}
DEMUXERS = "mov,mp4,m4a,matroska,webm,mpegts,mxf,avi,wav,mp3,flac,ogg,aac"
IMAGES = {
    "JPEG": (".jpg", "image/jpeg"),
    "PNG": (".png", "image/png"),
    "WEBP": (".webp", "image/webp"),
}
#: files read whole before they are checked
MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_SUBTITLES_BYTES = 10 * 1024 * 1024


class NotWhatItClaims(Exception):
    """The file is not what its kind requires; the message says what was found."""


@dataclass(frozen=True)
class Inspected:
    extension: str
    content_type: str
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None


def max_bytes(kind: str) -> int | None:
    """The largest file of this kind that is read whole (None: probed in place)."""
    if kind in IMAGE_KINDS:
        return MAX_IMAGE_BYTES
    if kind in SUBTITLE_KINDS:
        return MAX_SUBTITLES_BYTES
    return None


def inspect(kind: str, source: str | Path) -> Inspected:
    """What the file at `source` (a path; for video and audio also an HTTP URL) is, if it
    is what `kind` needs."""
    if kind in VIDEO_KINDS:
        return _media(source, video=True)
    if kind in AUDIO_KINDS:
        return _media(source, video=False)
    if kind in IMAGE_KINDS:
        return _image(Path(source))
    if kind in SUBTITLE_KINDS:
        return _subtitles(Path(source))
    raise NotWhatItClaims(_("Files of this kind are not uploaded."))


def _media(source: str | Path, *, video: bool) -> Inspected:
    """libavformat through PyAV (ffprobe's own library: no program to find), restricted
    to our demuxers and to the source's own protocols."""
    remote = str(source).startswith(("http://", "https://"))
    options = {
        "protocol_whitelist": "http,https,tcp,tls" if remote else "file",
        "format_whitelist": DEMUXERS,
    }
    try:
        with av.open(str(source), options=options, timeout=60) as opened:
            format_name = opened.format.name
            major_brand = (opened.metadata.get("major_brand") or "").strip()
            duration = opened.duration / 1_000_000 if opened.duration else None
            pictures = [
                (s.codec_context.width, s.codec_context.height)
                for s in opened.streams.video
                if s.codec_context.height
            ]
            sounds = list(opened.streams.audio)
    except (av.error.FFmpegError, OSError, ValueError):
        raise NotWhatItClaims(_("This file is not a video or sound file we can read.")) from None
    container = CONTAINERS.get(format_name)
    if container is None:
        raise NotWhatItClaims(_("This file is not a video or sound file we can read."))
    if video:
        if not pictures or container[0] is None:
            raise NotWhatItClaims(_("This file holds no video."))
        extension, content_type = container[0]
        if major_brand == "qt":
            extension, content_type = ".mov", "video/quicktime"
        width, height = pictures[0]
        return Inspected(extension, content_type, int(width), int(height), duration)
    if not sounds or pictures:
        raise NotWhatItClaims(_("This file is not a sound-only file."))
    extension, content_type = container[1]
    return Inspected(extension, content_type, duration_seconds=duration)


def _image(path: Path) -> Inspected:
    try:
        with warnings.catch_warnings():
            # an image of more than Pillow's MAX_IMAGE_PIXELS is a decompression bomb
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                found = image.format
                width, height = image.size
                image.verify()  # reads the whole file: a truncated image fails here
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        raise NotWhatItClaims(_("This file is not an image we can read.")) from None
    if found not in IMAGES:
        raise NotWhatItClaims(_("Give a JPEG, PNG or WebP image."))
    extension, content_type = IMAGES[found]
    return Inspected(extension, content_type, width, height)


def _subtitles(path: Path) -> Inspected:
    try:
        captions = webvtt.read(str(path)).captions
    except (
        webvtt.errors.MalformedFileError,
        webvtt.errors.MalformedCaptionError,
        UnicodeDecodeError,
        ValueError,
    ):
        raise NotWhatItClaims(_("This file is not WebVTT subtitles.")) from None
    if not captions:
        raise NotWhatItClaims(_("These subtitles hold no cue."))
    return Inspected(".vtt", "text/vtt")
