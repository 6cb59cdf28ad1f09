"""The real Python SDK (splitio_client) pointed at an Imprint server, as e2e/lib/split.js does
for the Node SDK: polling only, short refresh rates, every URL on the test server."""
import json
import sys
import threading
import time

from splitio import get_factory


def factory(base, sdk_key, mode, listener=None):
    config = {
        'streamingEnabled': False,
        'impressionsMode': mode,
        # Python forces at least 60 s outside DEBUG mode; destroy() flushes in every mode.
        'impressionsRefreshRate': 1,
        'eventsPushRate': 1,
        'featuresRefreshRate': 5,
        'segmentsRefreshRate': 5,
        'labelsEnabled': True,
    }
    if listener is not None:
        config['impressionListener'] = listener
    api = f'{base}/api'
    f = get_factory(sdk_key, config=config, sdk_api_base_url=api, events_api_base_url=api,
                    auth_api_base_url=api, telemetry_api_base_url=api, streaming_api_base_url=base)
    f.block_until_ready(15)
    wait_for_recorders(f)
    return f


def wait_for_recorders(f, timeout=10):
    """The SDK signals ready just before it starts its impression, count and unique-key tasks,
    and destroy() flushes only the tasks already running: a factory destroyed right after
    block_until_ready() can lose its counts and keys. Real applications live longer; the tests
    wait for the tasks (read-only look at the SDK's state, or a pause if that ever moves)."""
    try:
        tasks = f._sync_manager._synchronizer._periodic_data_recording_tasks
    except AttributeError:
        time.sleep(1)
        return
    deadline = time.monotonic() + timeout
    while not all(task.is_running() for task in tasks):
        if time.monotonic() > deadline:
            raise SystemExit('the Python SDK did not start its recording tasks')
        time.sleep(0.01)


def destroy(f):
    """Flushes impressions, counts, unique keys and events, then stops."""
    done = threading.Event()
    f.destroy(done)
    if not done.wait(60):
        raise SystemExit('the Python SDK did not finish destroy() within 60 s')


def read_input():
    return json.load(sys.stdin)


def write_output(value):
    json.dump(value, sys.stdout)
    sys.stdout.flush()
