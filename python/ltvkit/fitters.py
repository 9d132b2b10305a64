"""lifetimes-compatible fitters over the engine's model registry.

BetaGeoFitter (BG/NBD), ModifiedBetaGeoFitter (MBG/NBD), ParetoNBDFitter (Pareto/NBD),
BetaGeoBetaBinomFitter (BG/BB) and GammaGammaFitter take the arguments of lifetimes' fitters
and return what they return (params_ as a Series, summary as a DataFrame, predictions as a
Series when given Series, else arrays or floats). Fitting, prediction and CLV are the engine's
(the model registry, score_customers, customer_lifetime_value); models are saved in the model
file of `ltv fit -o`. docs/python.md lists where results differ from lifetimes' and why.
"""

import os

import numpy as np
import pandas as pd

from . import _frames
from . import _ltvkit

__all__ = ["BetaGeoFitter", "ModifiedBetaGeoFitter", "ParetoNBDFitter",
           "BetaGeoBetaBinomFitter", "GammaGammaFitter", "ShiftedBetaGeoFitter", "load_model"]

# lifetimes' months in units of `freq` for customer_lifetime_value (its own table).
_CLV_STEPS = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 30.0 * 24}


def _arrays(where, **named):
    """Broadcast the arguments to one shape; each checked finite (an InputError names the
    argument and the position of its first NaN or infinity)."""
    arrays = {}
    for name, value in named.items():
        a = np.asarray(value, dtype=np.float64)
        _ltvkit.check_finite(where, name, a.ravel())
        arrays[name] = a
    shape = np.broadcast(*arrays.values()).shape
    flat = {k: np.ascontiguousarray(np.broadcast_to(v, shape)).ravel()
            for k, v in arrays.items()}
    return flat, shape


def _shaped(values, shape, inputs, series=True):
    """lifetimes' return shape: a Series (index of the first Series input) when given one, a
    float when every input is a scalar, else an array of the broadcast shape."""
    if series:
        for value in inputs:
            if isinstance(value, pd.Series):
                return pd.Series(values.reshape(shape), index=value.index)
    if shape == ():
        return float(values[0])
    return values.reshape(shape)


def _weights(weights, n, where):
    if weights is None:
        return None
    w = np.asarray(weights, dtype=np.float64).ravel()
    _ltvkit.check_finite(where, "weights", w)
    if w.size != n:
        raise _frames.parameter_error("weights", "{} values".format(w.size),
                                      "one weight per customer ({})".format(n))
    return w


def _customers(weights, frequency):
    return float(weights.sum()) if weights is not None else float(frequency.size)


class _Fitter:
    """What every fitter shares: the fit, its parameters and their uncertainty, the model
    file."""

    _model = None  # the registry's name
    _names = None  # parameter names as lifetimes calls them

    def __init__(self, penalizer_coef=0.0):
        self.penalizer_coef = penalizer_coef

    def __repr__(self):
        name = type(self).__name__
        if not hasattr(self, "params_"):
            return "<ltvkit.{}>".format(name)
        subjects = "" if getattr(self, "data", None) is None else \
            " fitted with {:d} subjects,".format(self.data.shape[0])
        values = ", ".join("{}: {:.2f}".format(k, v) for k, v in sorted(self.params_.items()))
        return "<ltvkit.{}:{} {}>".format(name, subjects, values)

    # ---- fitting
    def _options(self, initial_params, customers):
        """The engine's fit options. penalizer_coef is, as in lifetimes, a penalty on the mean
        log-likelihood per customer; the engine's L2 penalty is on the total log-likelihood and
        on the log-parameters (lifetimes penalises the parameters themselves)."""
        coef = float(self.penalizer_coef)
        if not coef >= 0 or coef == float("inf"):
            raise _frames.parameter_error("penalizer_coef", coef, "a finite number >= 0")
        options = {"penalty": coef * float(customers)}
        if initial_params is not None:
            options["initial"] = [float(v) for v in np.ravel(initial_params)]
        return options

    def _fitted(self, fit, time_unit):
        self._fit = fit
        self.time_unit = time_unit or ""
        names = list(self._names)
        self.params_ = pd.Series(fit.estimates, index=names, dtype=np.float64)
        self.log_likelihood_ = fit.log_likelihood
        # lifetimes keeps the mean negative log-likelihood per customer.
        self._negative_log_likelihood_ = (-fit.log_likelihood / fit.n_customers
                                          if fit.n_customers else None)
        se = fit.std_errors
        self.standard_errors_ = pd.Series(
            se if se is not None else np.full(len(names), np.nan), index=names, dtype=np.float64)
        lower, upper = fit.ci_lower, fit.ci_upper
        self.confidence_intervals_ = pd.DataFrame({
            "lower 95% bound": lower if lower is not None else np.full(len(names), np.nan),
            "upper 95% bound": upper if upper is not None else np.full(len(names), np.nan),
        }, index=names)
        cov = fit.covariance
        self.variance_matrix_ = (None if cov is None else
                                 pd.DataFrame(cov, index=names, columns=names))
        self.converged_ = fit.converged
        return self

    @property
    def summary(self):
        """coef, se(coef), lower 95% bound, upper 95% bound per parameter (NaN standard errors
        only when the Hessian is singular or a loaded model file has none)."""
        self._require_fit()
        out = pd.DataFrame(index=self.params_.index)
        out["coef"] = self.params_
        out["se(coef)"] = self.standard_errors_
        out["lower 95% bound"] = self.confidence_intervals_["lower 95% bound"]
        out["upper 95% bound"] = self.confidence_intervals_["upper 95% bound"]
        return out

    def _require_fit(self):
        if not hasattr(self, "params_"):
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")

    # ---- the model file of `ltv fit -o`
    def save_model(self, path, save_data=True, save_generate_data_method=True,
                   values_to_save=None):
        """Writes the model file of `ltv fit -o` (JSON: model, params, stderr, ci95, ...).
        The data is not saved (the other arguments are lifetimes' and have no effect)."""
        self._require_fit()
        with open(os.fspath(path), "w", encoding="utf-8") as out:
            out.write(self._fit.to_json(self.time_unit) + "\n")

    def load_model(self, path):
        """Reads a model file (`ltv fit -o`, the main job's model.json, save_model)."""
        fit, time_unit = _ltvkit.read_model(os.fspath(path))
        if fit.model != self._model:
            raise _ltvkit.ModelError("{} holds a {} model; {} reads {} models".format(
                path, fit.model, type(self).__name__, self._model))
        self.data = None
        return self._fitted(fit, time_unit)


class _CountFitter(_Fitter):
    """BG/NBD, MBG/NBD and Pareto/NBD: continuous time."""

    def fit(self, frequency, recency, T, weights=None, initial_params=None, verbose=False,
            tol=1e-7, index=None, time_unit=None, **kwargs):
        """Maximum-likelihood fit on per-customer frequency, recency and T (any time unit; alpha
        is in that unit). `weights` counts customers per row. verbose, tol and other keyword
        arguments of lifetimes' optimizer are accepted and have no effect: the engine's
        optimizer has its own settings. `time_unit` ("day", "week", "month") is written into
        the model file; by default it is taken from a summary of ltvkit."""
        where = type(self).__name__ + ".fit"
        a, _ = _arrays(where, frequency=frequency, recency=recency, T=T)
        w = _weights(weights, a["frequency"].size, where)
        fit = _ltvkit.fit(self._model, a["frequency"], a["recency"], a["T"], w, None,
                          self._options(initial_params, _customers(w, a["frequency"])))
        self.data = pd.DataFrame({
            "frequency": a["frequency"], "recency": a["recency"], "T": a["T"],
            "weights": w if w is not None else np.ones(a["frequency"].size)}, index=index)
        self._fitted(fit, time_unit or _unit_of(frequency))
        self.predict = self.conditional_expected_number_of_purchases_up_to_time
        return self

    def _fitted(self, fit, time_unit):
        super()._fitted(fit, time_unit)
        self._count_model = _ltvkit.CountModel(fit)
        self.predict = self.conditional_expected_number_of_purchases_up_to_time
        return self

    def _scorer(self):
        self._require_fit()
        return self._count_model

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """Expected purchases in (T, T + t] of customers with history (frequency, recency, T)."""
        model = self._scorer()
        a, shape = _arrays("conditional_expected_number_of_purchases_up_to_time", t=t,
                           frequency=frequency, recency=recency, T=T)
        if np.ndim(t) == 0:
            values = model.score(a["frequency"], a["recency"], a["T"], float(t))[1]
        else:
            values = model.conditional_expected(a["t"], a["frequency"], a["recency"], a["T"])
        return _shaped(values, shape, (t, frequency, recency, T))

    def conditional_probability_alive(self, frequency, recency, T):
        """P(alive at T) of customers with history (frequency, recency, T)."""
        model = self._scorer()
        a, shape = _arrays("conditional_probability_alive", frequency=frequency,
                           recency=recency, T=T)
        values = model.p_alive(a["frequency"], a["recency"], a["T"])
        return self._alive_shape(values, shape, (frequency, recency, T))

    def _alive_shape(self, values, shape, inputs):
        return _shaped(values, shape, inputs)

    def conditional_probability_alive_matrix(self, max_frequency=None, max_recency=None):
        """P(alive) of customers aged max_recency: rows recency 0..max_recency, columns
        frequency 0..max_frequency. A customer with frequency 0 has recency 0: that column holds
        P(alive | 0, 0, T) on every row."""
        self._require_fit()
        data = getattr(self, "data", None)
        if max_frequency is None:
            max_frequency = int(data["frequency"].max())
        if max_recency is None:
            max_recency = int(data["T"].max())
        recency, frequency = np.meshgrid(np.arange(max_recency + 1, dtype=np.float64),
                                         np.arange(max_frequency + 1, dtype=np.float64),
                                         indexing="ij")
        recency = np.where(frequency == 0, 0.0, recency)
        T = np.full(recency.shape, float(max_recency))
        values = self._count_model.p_alive(frequency.ravel(), recency.ravel(), T.ravel())
        return values.reshape(recency.shape)

    def expected_number_of_purchases_up_to_time(self, t):
        """Expected repeat purchases in (0, t] of a new customer."""
        model = self._scorer()
        a, shape = _arrays("expected_number_of_purchases_up_to_time", t=t)
        return _shaped(model.expected(a["t"]), shape, (t,))

    def probability_of_n_purchases_up_to_time(self, t, n):
        """P(N(t) = n): probability that a new customer makes n repeat purchases in (0, t]."""
        model = self._scorer()
        a, shape = _arrays("probability_of_n_purchases_up_to_time", t=t, n=n)
        return _shaped(model.p_n(a["n"], a["t"]), shape, (t, n))

    def conditional_probability_of_n_purchases_up_to_time(self, n, t, frequency, recency, T):
        """P(n purchases in (T, T + t] | frequency, recency, T)."""
        model = self._scorer()
        a, shape = _arrays("conditional_probability_of_n_purchases_up_to_time", n=n, t=t,
                           frequency=frequency, recency=recency, T=T)
        values = model.conditional_p_n(a["n"], a["t"], a["frequency"], a["recency"], a["T"])
        return _shaped(values, shape, (n, t, frequency, recency, T))


def _unit_of(values):
    return getattr(values, "attrs", {}).get("time_unit")


class BetaGeoFitter(_CountFitter):
    """BG/NBD (Fader, Hardie & Lee 2005): parameters r, alpha, a, b."""

    _model = "bgnbd"
    _names = ("r", "alpha", "a", "b")

    def _alive_shape(self, values, shape, inputs):
        # lifetimes returns a numpy array here, also for Series arguments.
        return np.atleast_1d(_shaped(values, shape, inputs, series=False))


class ModifiedBetaGeoFitter(BetaGeoFitter):
    """MBG/NBD (Batislam, Denizel & Filiztekin 2007): parameters r, alpha, a, b."""

    _model = "mbgnbd"


class ParetoNBDFitter(_CountFitter):
    """Pareto/NBD (Schmittlein, Morrison & Colombo 1987): parameters r, alpha, s, beta."""

    _model = "pnbd"
    _names = ("r", "alpha", "s", "beta")


class BetaGeoBetaBinomFitter(_Fitter):
    """BG/BB (Fader, Hardie & Shang 2010) for discrete transaction opportunities: parameters
    alpha, beta, gamma, delta."""

    _model = "bgbb"
    _names = ("alpha", "beta", "gamma", "delta")

    def fit(self, frequency, recency, n_periods, weights=None, verbose=False, tol=1e-7,
            iterative_fitting=1, index=None, fit_method="Nelder-Mead", maxiter=2000,
            initial_params=None, **kwargs):
        """Maximum-likelihood fit on transactions (frequency) in n_periods opportunities, the
        last in opportunity recency; `weights` counts customers per row (as the donations
        data). Optimizer arguments of lifetimes are accepted and have no effect."""
        where = "BetaGeoBetaBinomFitter.fit"
        a, _ = _arrays(where, frequency=frequency, recency=recency, n_periods=n_periods)
        w = _weights(weights, a["frequency"].size, where)
        fit = _ltvkit.fit(self._model, a["frequency"], a["recency"], a["n_periods"], w, None,
                          self._options(initial_params, _customers(w, a["frequency"])))
        self.data = pd.DataFrame({
            "frequency": a["frequency"], "recency": a["recency"], "n_periods": a["n_periods"],
            "weights": w if w is not None else np.ones(a["frequency"].size)}, index=index)
        return self._fitted(fit, "period")

    def _fitted(self, fit, time_unit):
        super()._fitted(fit, time_unit)
        self._count_model = _ltvkit.CountModel(fit)
        return self

    def conditional_expected_number_of_purchases_up_to_time(self, m_periods_in_future, frequency,
                                                            recency, n_periods):
        """Expected transactions in the next m_periods_in_future opportunities (FHS eq. 13)."""
        self._require_fit()
        m = m_periods_in_future
        a, shape = _arrays("conditional_expected_number_of_purchases_up_to_time",
                           m_periods_in_future=m, frequency=frequency, recency=recency,
                           n_periods=n_periods)
        values = self._count_model.conditional_expected(
            a["m_periods_in_future"], a["frequency"], a["recency"], a["n_periods"])
        return _shaped(values, shape, (m, frequency, recency, n_periods))

    def conditional_probability_alive(self, m_periods_in_future, frequency, recency, n_periods):
        """P(alive at opportunity n_periods + m_periods_in_future | history) (m = 1: FHS eq.
        11)."""
        self._require_fit()
        m = m_periods_in_future
        a, shape = _arrays("conditional_probability_alive", m_periods_in_future=m,
                           frequency=frequency, recency=recency, n_periods=n_periods)
        values = self._count_model.p_alive_at(a["m_periods_in_future"], a["frequency"],
                                              a["recency"], a["n_periods"])
        return _shaped(values, shape, (m, frequency, recency, n_periods))

    def expected_number_of_transactions_in_first_n_periods(self, n):
        """Expected customers with x transactions in the first n opportunities, for each x of
        the fitted data: P(X(n) = x) times the customers fitted (FHS eq. 8); column 'model',
        index 'frequency'."""
        self._require_fit()
        if getattr(self, "data", None) is None:
            raise ValueError("expected_number_of_transactions_in_first_n_periods needs the "
                             "fitted data (a loaded model has none)")
        x = np.unique(self.data["frequency"].to_numpy())
        p = self._count_model.p_n(x.astype(np.float64), np.full(x.size, float(n)))
        customers = float(self.data["weights"].sum())
        return pd.DataFrame({"model": p * customers},
                            index=pd.Index(x.astype(np.int64), name="frequency"))


class GammaGammaFitter(_Fitter):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"): parameters p, q, v
    (the engine's p, q, gamma)."""

    _model = "gg"
    _names = ("p", "q", "v")

    def fit(self, frequency, monetary_value, weights=None, initial_params=None, verbose=False,
            tol=1e-7, index=None, q_constraint=False, time_unit=None, **kwargs):
        """Maximum-likelihood fit on repeat customers' frequency and mean repeat spend
        (customers with frequency 0 carry no spend and are left out, as in the paper)."""
        if q_constraint:
            raise _frames.parameter_error(
                "q_constraint", q_constraint,
                "False: ltvkit fits q freely and refuses expected spend when q <= 1 (the "
                "population mean does not exist) rather than constraining it")
        where = "GammaGammaFitter.fit"
        a, _ = _arrays(where, frequency=frequency, monetary_value=monetary_value)
        w = _weights(weights, a["frequency"].size, where)
        fit = _ltvkit.fit(self._model, a["frequency"], None, None, w, a["monetary_value"],
                          self._options(initial_params, _customers(w, a["frequency"])))
        self.data = pd.DataFrame({
            "monetary_value": a["monetary_value"], "frequency": a["frequency"],
            "weights": w if w is not None else np.ones(a["frequency"].size)}, index=index)
        return self._fitted(fit, time_unit or _unit_of(frequency))

    def conditional_expected_average_profit(self, frequency=None, monetary_value=None):
        """E[spend per purchase | frequency, monetary_value] (FHL 2005b eq. 5); by default of
        the fitted customers."""
        self._require_fit()
        if frequency is None:
            frequency = self.data["frequency"]
        if monetary_value is None:
            monetary_value = self.data["monetary_value"]
        a, shape = _arrays("conditional_expected_average_profit", frequency=frequency,
                           monetary_value=monetary_value)
        values = _ltvkit.expected_spend(self._fit, a["frequency"], a["monetary_value"])
        return _shaped(values, shape, (frequency, monetary_value))

    def customer_lifetime_value(self, transaction_prediction_model, frequency, recency, T,
                                monetary_value, time=12, discount_rate=0.01, freq="D"):
        """Discounted value of the next `time` months: sum over months i of the expected
        purchases in month i times the expected spend per purchase, discounted by
        (1 + discount_rate)^i, a month being lifetimes' 30 days / 4.345 weeks / 1 month / 720
        hours (`freq`, the unit of T). Returns a Series 'clv' with the index of `frequency`."""
        self._require_fit()
        model = getattr(transaction_prediction_model, "_count_model", None)
        if model is None:
            raise TypeError("transaction_prediction_model must be a fitted ltvkit fitter "
                            "(BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter)")
        if freq not in _CLV_STEPS:
            raise _frames.parameter_error("freq", freq, "one of D, W, M, H")
        spend = self.conditional_expected_average_profit(frequency, monetary_value)
        a, shape = _arrays("customer_lifetime_value", frequency=frequency, recency=recency, T=T,
                           spend=spend)
        try:
            values = model.clv(a["frequency"], a["recency"], a["T"], a["spend"], float(time),
                               _CLV_STEPS[freq], float(discount_rate), 1.0)
        except _ltvkit.ParameterError as e:
            names = {"horizon": "time"}  # the engine's key -> lifetimes' keyword
            raise _frames.parameter_error(names.get(e.key, e.key), e.found, e.expected) from None
        index = frequency.index if isinstance(frequency, pd.Series) else None
        return pd.Series(values.reshape(shape).ravel(), index=index, name="clv")


class ShiftedBetaGeoFitter(_Fitter):
    """Shifted-beta-geometric model of contract retention (Fader & Hardie 2007, "How to Project
    Customer Retention"): each customer cancels at the end of a period with probability theta,
    theta ~ Beta(gamma, delta) across customers. Fitted on cohorts' survival tables (customers
    still under contract at period 0 and after each renewal), as `ltv fit --model sbg`; the
    projection is that of `ltv predict --model sbg`. lifetimes has no contractual model;
    pymc-marketing calls it ShiftedBetaGeoModelIndividual."""

    _model = "sbg"
    _names = ("gamma", "delta")

    @staticmethod
    def _table(alive, cohort=None, period=None):
        """The survival table as the engine reads it: a DataFrame with an `alive` column (and
        optional `cohort`, `period`), or the counts of one cohort in period order."""
        if isinstance(alive, pd.DataFrame):
            if cohort is not None or period is not None:
                raise _frames.parameter_error(
                    "cohort", cohort if cohort is not None else period,
                    "no cohort/period arguments with a DataFrame (its columns are used)")
            return _frames.side_table(alive, "survival")
        values = np.asarray(alive, dtype=np.float64).ravel()
        columns = {"alive": values}
        if cohort is not None:
            columns["cohort"] = np.asarray(cohort).astype(str).ravel()
        if period is not None:
            columns["period"] = np.asarray(period).ravel()
        return _frames.side_table(pd.DataFrame(columns), "survival")

    def fit(self, alive, cohort=None, period=None, calibration_periods=0, initial_params=None,
            verbose=False, **kwargs):
        """Maximum-likelihood fit on the first `calibration_periods` periods of every cohort
        (0 = all). `alive` is a DataFrame with columns alive[, cohort][, period] or the counts
        of one cohort (period 0 first); `cohort` / `period` label such counts."""
        table = self._table(alive, cohort, period)
        calibration = int(calibration_periods)
        if calibration != calibration_periods or calibration < 0:
            raise _frames.parameter_error("calibration_periods", calibration_periods,
                                          "a whole number of periods >= 0 (0 = all)")
        options = self._options(initial_params, 0)
        fit = _ltvkit.fit_retention(table, calibration, options)
        self._survival_table = table
        self.calibration_periods = calibration
        self.data = None
        return self._fitted(fit, "period")

    def survival_function(self, t):
        """S(t): the share of a new cohort still customers after t renewal opportunities."""
        return self._curve("survival", t)

    def retention_rate(self, t):
        """r(t) = S(t) / S(t - 1), t >= 1: retention rate of period t (rises with tenure)."""
        return self._curve("retention", t)

    def churn_probability(self, t):
        """P(T = t), t >= 1: the share of new customers whose last period is t."""
        return self._curve("churn", t)

    def discounted_expected_residual_lifetime(self, discount_rate, renewals=0):
        """DERL (Fader & Hardie 2010 eq. 6): discounted expected future payments of a customer
        who has made `renewals` renewals and is about to decide on the next one; times the value
        of a period it is the customer's residual lifetime value."""
        self._require_fit()
        a, shape = _arrays("discounted_expected_residual_lifetime", renewals=renewals)
        values = _ltvkit.sbg_derl(self._fit, float(discount_rate), a["renewals"])
        return _shaped(values, shape, (renewals,), series=False)

    def projection(self, horizon=0, discount_rate=None, period_value=0.0):
        """One row per cohort and period 0..horizon (0 = as far as the data goes): observed and
        expected alive, survival, retention, P(churn), and with a discount rate per period
        `derl` (and `clv` = period_value x derl) — the table of `ltv predict --model sbg`."""
        self._require_fit()
        table = getattr(self, "_survival_table", None)
        if table is None:
            raise ValueError("projection() needs the survival table of fit(); a loaded model "
                             "file has none")
        columns = _ltvkit.retention_projection(
            self._fit, table, int(horizon), None if discount_rate is None else float(discount_rate),
            float(period_value), self.calibration_periods)
        return _frames.frame(columns)

    def _curve(self, what, t):
        self._require_fit()
        a, shape = _arrays(what, t=t)
        return _shaped(_ltvkit.sbg_curve(self._fit, what, a["t"]), shape, (t,), series=False)


def load_model(path):
    """The fitter of a model file (`ltv fit -o`, the main job's model.json, save_model)."""
    fit, _ = _ltvkit.read_model(os.fspath(path))
    classes = {c._model: c for c in (BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter,
                                     BetaGeoBetaBinomFitter, GammaGammaFitter,
                                     ShiftedBetaGeoFitter)}
    if fit.model not in classes:
        raise _ltvkit.ModelError("{} holds a {} model, which has no lifetimes fitter".format(
            path, fit.model))
    return classes[fit.model]().load_model(path)
