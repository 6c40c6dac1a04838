"""The scenario format (SPEC 8, a contract), as one package.

``load`` reads a file and parses its TOML, ``validate`` checks its tables and builds the
:class:`~sim.scenario.validate.Scenario`, ``args`` checks a step's arguments against the
operation's parameters, ``lines`` finds line numbers and hints, ``files`` reads the
scenario and its ``@file`` references safely, and ``checks`` holds the check kinds.
"""
