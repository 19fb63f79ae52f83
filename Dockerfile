# trendbot in one image: CPU-only torch, both bundled embedding models, no network needed to run.
#   docker build -t trendbot .
#   docker run -d --name trendbot -v trendbot-data:/data -v "$PWD/feeds.yaml:/config/feeds.yaml:ro" \
#     -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN -e SLACK_SIGNING_SECRET -p 3000:3000 trendbot
# No Docker engine runs on our machines: tests/test_dockerfile.py lints this file with hadolint and
# scripts/check_dockerfile.py runs its RUN commands in a throwaway virtualenv.
FROM python:3.11-slim

LABEL org.opencontainers.image.title="trendbot" \
      org.opencontainers.image.description="Newsjacking assistant: spots rising news stories that fit a brand and pitches post ideas in Slack." \
      org.opencontainers.image.licenses="Apache-2.0"

# HF_HUB_OFFLINE: the bundled models never need the hub (`-e HF_HUB_OFFLINE=0` to use a hub name).
# TRENDBOT_HOST: in HTTP mode, listen on the container's interface (outside, the default is
# loopback); `-p 3000:3000` then decides who can reach it.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRENDBOT_DB=/data/trendbot.db \
    TRENDBOT_CONFIG=/config/feeds.yaml \
    TRENDBOT_HOST=0.0.0.0

# A fixed uid and gid, so a bind-mounted /data can be made writable with `chown 10001:10001`.
RUN groupadd --system --gid 10001 trendbot \
    && useradd --system --uid 10001 --gid trendbot --create-home --home-dir /home/trendbot trendbot \
    && mkdir -p /data /config \
    && chown trendbot:trendbot /data

WORKDIR /src

# Dependencies first, from pyproject.toml alone, so editing the code does not reinstall them.
# torch comes from its CPU-only index: the PyPI wheel would pull gigabytes of CUDA libraries.
COPY pyproject.toml ./
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
    && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY README.md ./
COPY trendbot/ trendbot/
# Loading both bundled models here proves they are in the image and load with the hub offline.
RUN pip install --no-cache-dir --no-deps . \
    && rm -rf build ./*.egg-info \
    && python -c "from trendbot.embed import load_embedder; [load_embedder(m).encode(['ok']) for m in ('minilm', 'use-multilingual')]"

COPY feeds.yaml /config/feeds.yaml

# By uid: a numeric USER is what Kubernetes' runAsNonRoot can verify.
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# HTTP mode: Slack posts to /slack/events (Socket Mode needs no open port).
EXPOSE 3000

# Shell form on purpose: `|| exit 1` maps any failure (click exits 2 on a usage error) to 1, the
# only failure status Docker defines; 2 is reserved.
# hadolint ignore=DL3025
HEALTHCHECK --interval=1m --timeout=10s --start-period=2m --retries=3 \
    CMD trendbot health || exit 1

# Python turns SIGINT into KeyboardInterrupt even as PID 1, where a SIGTERM with no handler is
# ignored: `docker stop` then ends `trendbot run` cleanly instead of killing it after 10 s.
STOPSIGNAL SIGINT
CMD ["trendbot", "run"]
