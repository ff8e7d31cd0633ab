from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('media', '0007_end_duplicate_open_sessions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='playbacksession',
            index=models.Index(fields=['user', 'film', '-started_at'], name='playback_viewer_film'),
        ),
        migrations.AddConstraint(
            model_name='playbacksession',
            constraint=models.UniqueConstraint(condition=models.Q(('ended_at__isnull', True)), fields=('user', 'film'), name='playback_one_open_session_per_viewer_film'),
        ),
        migrations.AddConstraint(
            model_name='playbacksession',
            constraint=models.CheckConstraint(condition=models.Q(('position_seconds__gte', 0)), name='playback_position_not_negative'),
        ),
    ]
