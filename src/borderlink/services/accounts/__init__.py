"""Accounts use cases: who may do what, and who did what.

- :mod:`.access`: roles, permissions and the need-to-know rules (:class:`~.access.Principal`,
  ``Principal.system`` for background work and the CLI, :func:`~.access.require`);
- :mod:`.users`: users, sign-in (:func:`~.users.sign_in`, one for the API and the pages),
  browser sessions and API tokens;
- :mod:`.audit`: the audit log's writer; :mod:`.audit_seal`: sealing it into the verifiable log,
  verifying it, proving an entry;
- :mod:`.demo`: one demo account per role.
"""
