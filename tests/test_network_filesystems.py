"""CFG-01: production refuses a SQLite file on a network file system (WAL needs a local
disk). The mount table is read from a file in /proc/mounts' own format (tests/data/mounts),
the way the kernel writes it: in the order the mounts were made (a later mount hides what was
mounted beneath it before), with a space or a backslash in a mount point written as an octal
escape."""

from pathlib import Path

import pytest

from growth import config, create_app

MOUNTS = Path(__file__).parent / "data" / "mounts" / "proc-mounts.txt"
SECRET = "production-secret-key-that-is-long-enough-0123456789"


@pytest.fixture(autouse=True)
def mount_table(monkeypatch):
    monkeypatch.setattr(config, "MOUNTS", MOUNTS)


@pytest.mark.parametrize("folder, kind", [
    ("/var/lib/growth", "xfs"),
    ("/srv/growth", "nfs4"),
    ("/srv/growth/data", "nfs4"),
    ("/srv/growth/local/data", "ext4"),  # a local disk mounted inside the NFS share
    ("/srv/growth-archive", "ext4"),  # not inside /srv/growth: only a longer name
    ("/srv/growth2/data", "ext4"),  # on / (no mount of its own), not on /srv/growth
    ("/data/growth/local/db", "nfs"),  # the NFS share, mounted later, hides that disk
    ("/mnt/team share/growth", "cifs"),  # written /mnt/team\040share
    ("/mnt/team", "ext4"),
    ("/mnt/vm/growth", "9p"),
    ("/home/growth/remote/db", "fuse.sshfs"),
    ("/mnt/back\\slash/growth", "ext4"),  # written /mnt/back\134slash
    ("/opt/growth", "ext4"),
])
def test_the_mount_holding_a_folder(folder, kind):
    assert config._filesystem_type(Path(folder)) == kind


@pytest.mark.parametrize("path", ["/srv/growth/growth.db", "/srv/growth/data/growth.db",
                                  "/mnt/team share/growth.db", "/mnt/vm/growth.db",
                                  "/home/growth/remote/growth.db",
                                  "/data/growth/local/growth.db"])
def test_production_refuses_a_database_on_a_network_file_system(path):
    with pytest.raises(RuntimeError, match="local disk"):
        create_app({"ENV": "production", "SECRET_KEY": SECRET,
                    "DATABASE_URL": f"sqlite:///{path}"})


@pytest.mark.parametrize("path", ["/var/lib/growth/growth.db",
                                  "/srv/growth/local/growth.db",
                                  "/srv/growth-archive/growth.db",
                                  "/mnt/team/growth.db"])
def test_a_database_on_a_local_disk_passes_the_check(path):
    assert config._local_sqlite_path(f"sqlite:///{path}")


def test_an_unreadable_mount_table_does_not_refuse(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "MOUNTS", tmp_path / "missing")
    assert config._filesystem_type(Path("/srv/growth")) == ""
