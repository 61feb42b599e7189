"""Care transitions between hospital, municipality and GP (forskrift 2011-11-18-1115)."""
