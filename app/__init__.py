"""MSE Autodiagnostic: self-assessment of an association's socio-economic model."""
