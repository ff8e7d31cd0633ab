from media.models.assets import Asset, EncodingProfile, Upload
from media.models.playback import PlaybackSession, StreamMedium, ViewEvent

__all__ = ["Asset", "EncodingProfile", "PlaybackSession", "StreamMedium", "Upload", "ViewEvent"]
