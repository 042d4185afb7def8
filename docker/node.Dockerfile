# A node image: Replayer's image plus the chain's releases pre-placed in the Cosmovisor layout
# under $DAEMON_HOME/cosmovisor (genesis/ and upgrades/<name>/), `current` -> genesis, and the
# fresh validator state every new home starts from. A named volume mounted on $DAEMON_HOME starts
# as a copy of this (Docker and podman copy an image's content into an empty named volume); on
# Kubernetes the init container copies it (docker/node/init-home.sh).
# The build context is made by docker/build-node-image.sh:
#   cosmovisor/genesis/bin/$DAEMON_NAME, cosmovisor/upgrades/<name>/bin/$DAEMON_NAME, scripts/
ARG REPLAYER_IMAGE=localhost/replayer:dev
FROM ${REPLAYER_IMAGE}
COPY --chown=replayer:replayer cosmovisor/ /home/replayer/.simapp/cosmovisor/
COPY scripts/ /opt/replayer/
RUN ln -sfn genesis "$DAEMON_HOME/cosmovisor/current" && \
    mkdir -p "$DAEMON_HOME/data" && \
    printf '{\n  "height": "0",\n  "round": 0,\n  "step": 0\n}' \
      > "$DAEMON_HOME/data/priv_validator_state.json" && \
    replayer status >/dev/null && replayer version
