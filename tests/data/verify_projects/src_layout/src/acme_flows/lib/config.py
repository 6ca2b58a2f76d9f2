"""Settings read from the environment at import time, as deployments configure them."""
import os

REGION = os.environ.get("ACME_REGION", "us-east-1")
THRESHOLD = float(os.getenv("ACME_THRESHOLD", "0.5"))
