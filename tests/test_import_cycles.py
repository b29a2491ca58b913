"""No two modules of backend-pair import each other at run time: each job has one owner.

A name used only in annotations (imported under ``TYPE_CHECKING``) may point back; nothing is imported for it.
"""

from __future__ import annotations

import grimp


def test_no_two_modules_import_each_other() -> None:
    graph = grimp.build_graph("backend_pair", exclude_type_checking_imports=True)
    cycles = sorted(
        (importer, imported)
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if importer < imported and graph.direct_import_exists(importer=imported, imported=importer)
    )
    assert cycles == []
