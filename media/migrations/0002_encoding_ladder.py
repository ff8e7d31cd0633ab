"""The HLS ladder (H.264/AAC), as data: 1080p, 720p, 480p, 360p."""

from django.db import migrations

LADDER = [
    ("1080p", 1080, 5000, 192),
    ("720p", 720, 2800, 128),
    ("480p", 480, 1400, 128),
    ("360p", 360, 800, 96),
]


def load(apps, schema_editor):
    EncodingProfile = apps.get_model("media", "EncodingProfile")
    for name, height, video, audio in LADDER:
        EncodingProfile.objects.update_or_create(
            name=name,
            defaults={"height": height, "video_bitrate_kbps": video, "audio_bitrate_kbps": audio},
        )


def unload(apps, schema_editor):
    apps.get_model("media", "EncodingProfile").objects.filter(
        name__in=[name for name, *_ in LADDER]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("media", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
