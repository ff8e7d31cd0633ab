"""Media: HD masters and their renditions on S3-compatible object storage, uploads,
transcoding, and rights-checked playback.

Only the app shell exists so far (foundation); its models arrive with the media capability.
"""
