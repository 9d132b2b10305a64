"""ltvkit for Python: customer lifetime value and customer value management in a notebook.

Two faces over one C++ engine (the same as the `ltv` command line):

* the main job: ``ltvkit.analyze(transactions_df, customer=..., date=..., amount=..., ...)``
  returns an Analysis whose tables are DataFrames (customers with scores and segments, actions,
  KPIs, cohorts, models, ...), and ``ltvkit.Workspace`` holds transactions for several jobs;
* lifetimes' names: ``summary_data_from_transaction_data``, ``calibration_and_holdout_data``,
  ``BetaGeoFitter``, ``ModifiedBetaGeoFitter``, ``ParetoNBDFitter``, ``BetaGeoBetaBinomFitter``,
  ``GammaGammaFitter``; and ``ShiftedBetaGeoFitter`` for contract retention (sBG).

See docs/python.md.
"""

from ._ltvkit import (  # noqa: F401  (the engine's exceptions)
    ConvergenceError,
    Error,
    InputError,
    ModelError,
    ParameterError,
    __version__,
)
from .fitters import (  # noqa: F401
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
    ShiftedBetaGeoFitter,
    load_model,
)
from .utils import calibration_and_holdout_data, summary_data_from_transaction_data  # noqa: F401
from .workspace import Analysis, Workspace, analyze, analyze_options  # noqa: F401

__all__ = [
    "analyze", "analyze_options", "Analysis", "Workspace",
    "summary_data_from_transaction_data", "calibration_and_holdout_data",
    "BetaGeoFitter", "ModifiedBetaGeoFitter", "ParetoNBDFitter", "BetaGeoBetaBinomFitter",
    "GammaGammaFitter", "ShiftedBetaGeoFitter", "load_model",
    "Error", "InputError", "ParameterError", "ModelError", "ConvergenceError",
]
