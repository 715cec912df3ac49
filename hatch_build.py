"""Build step: compile the translation catalogs (messages.po → messages.mo) into the wheel,
so an installed Growth speaks every language its source does. The compiled files are never
kept in the repository."""

import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CATALOGS = Path("growth") / "translations"


class CompileCatalogs(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install reads the catalogs `make translations` compiles
        self._folder = tempfile.TemporaryDirectory(prefix="growth-catalogs-")
        out = Path(self._folder.name)
        root = Path(self.root)
        for po_path in sorted((root / CATALOGS).glob("*/LC_MESSAGES/*.po")):
            relative = po_path.relative_to(root).with_suffix(".mo")
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
            build_data["force_include"][str(target)] = str(relative)

    def finalize(self, version, build_data, artifact_path):
        folder = getattr(self, "_folder", None)
        if folder is not None:
            folder.cleanup()
