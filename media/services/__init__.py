"""Operations of the media app, one module per topic: uploads, transcoding, playback and
screening downloads."""
