"""Backup and restore of the database and the attachments (等保 2.0 数据备份恢复).

`manifest` describes and checks a backup directory, `database` copies the database out and
back, `services` puts the two together with the attachments and the security events. The
`backup` and `restore` management commands call the services.
"""


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Chinese."""
