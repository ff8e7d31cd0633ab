"""Media: HD masters and their renditions on S3-compatible object storage.

- `models/`: assets (master, renditions, playlists, subtitles, audio description,
  posters, stills, trailers) and their states, the encoding ladder as data, multipart
  uploads, playback sessions and view events.
- `objectstore.py`: the only module that talks to the store (boto3 on S3, Django's
  default storage on the embedded set-up), presigned URLs with short validity.
- `services/`: uploads (initiate, resume, complete with size and SHA-256 checks, abort,
  stale sweep), transcoding (states, outputs and their measured values), playback
  (rights engine, subscription, stream cap, one session per viewer and film, resume,
  heartbeats, view events), streams (the master and track playlists and the segment
  links a session's player follows), screening downloads.
- `transcoding.py`: ffmpeg commands (ladder, poster, progress) and what was encoded
  (probing and measuring with libavformat).
- `tasks.py`: checksum, transcoding (`transcoding` queue), periodic sweeps.
"""
