"""Users, roles, care relations (tjenstlig behov), the access policy and the audit log."""
