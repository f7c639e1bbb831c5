"""Demand forecasting: how many children the area will look after, and with what confidence.

Modules, each with one job:

``states``
    the episode table as segments of time in one state (placement category x age band);
``stockflow``
    the stock-flow (Markov) model: rates estimated over a reference period, projection with
    multinomial/Poisson intervals and the rates' own uncertainty;
``population``
    entry rates that follow the ONS projection of each age group;
``scenarios``
    named sets of changes to the rates (step-down, in-house recruitment, UASC, entries);
``costs``
    weekly unit costs (spend data, else illustrative parameters) and the cost projection;
``timeseries``
    aggregate methods for series of counts only (DfE's published tables, a borough's
    month-end numbers): persistence, drift, damped trend, ARIMA(0,1,1), rate x population;
``backtest``
    rolling-origin back-tests, error tables and the choice of method against persistence;
``published``
    forecasts and back-tests of a DfE table of every local authority (``mps forecast``);
``area``
    one area's forecast, scenarios, costs and back-test, for the ``demand_forecast``
    notebook (:class:`~mps.analysis.forecast.area.AreaForecast`).
"""
