export APICORE_API_KEY=tutorial-token-0123456789    # the token /secret asks for
export APICORE_CALLBACKS_ALLOW=127.0.0.1           # let callbacks reach this machine
asymmetric run app --port 8000
