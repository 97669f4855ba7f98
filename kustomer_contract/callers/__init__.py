"""The caller's side: payload files checked (``validate``), recorded call traces judged
(``trace``), a real page recorded (``record``), fixtures written for the caller's own tests."""
