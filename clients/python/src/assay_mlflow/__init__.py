"""assay-mlflow: run ``mlflow.genai.labeling`` and ``mlflow.genai.label_schemas`` against Assay.

Installing the package is all it takes. Its ``mlflow.labeling_store`` entry points (``http``,
``https``) make MLflow load ``assay_mlflow.store`` when ``mlflow.genai.labeling.stores`` is
imported (``import mlflow`` does that), and loading this package also routes the Databricks-style
calls of ``mlflow.genai.label_schemas`` (``title=``, ``overwrite=True``, name-based get/delete)
to Assay - see ``assay_mlflow._label_schemas`` for exactly what is wrapped and why.
"""

from assay_mlflow._label_schemas import patch_label_schemas, unpatch_label_schemas

__version__ = "0.1.0"


def install() -> None:
    """Make sure the Assay store is registered and the label-schema wrappers are in place.

    Not needed after ``pip install`` (the entry points do it); useful when the package is on
    ``sys.path`` without being installed.
    """
    from mlflow.genai.labeling.stores import _labeling_store_registry

    from assay_mlflow.store import AssayLabelingStore

    for scheme in ("http", "https"):
        _labeling_store_registry.register(scheme, AssayLabelingStore)
    patch_label_schemas()


# When MLflow loads the entry point, mlflow.genai.label_schemas is already fully imported
# (mlflow.genai.labeling.stores imports it before registering entry points), so this applies
# the wrappers at once. If it is not (a partial, circular import), the store applies them
# when first built.
patch_label_schemas()

__all__ = ["install", "patch_label_schemas", "unpatch_label_schemas", "__version__"]
