"""Makes the impression tests' calls with the Python SDK and prints the treatments it returned.

stdin:  {"base", "sdk_key", "mode", "calls": [{"key", "bucketingKey"?, "flag", "attributes", "properties"?}]}
stdout: {"treatments": [...], "started_ms", "finished_ms"}
"""
import time

from splitio.client.client import EvaluationOptions
from splitio.client.key import Key

from split_sdk import destroy, factory, read_input, write_output

request = read_input()
f = factory(request['base'], request['sdk_key'], request['mode'])
client = f.client()
started = int(time.time() * 1000)
treatments = []
for call in request['calls']:
    key = Key(call['key'], call['bucketingKey']) if call.get('bucketingKey') else call['key']
    options = EvaluationOptions(call['properties']) if call.get('properties') else None
    treatments.append(client.get_treatment(key, call['flag'], call['attributes'], evaluation_options=options))
finished = int(time.time() * 1000)
destroy(f)
write_output({'treatments': treatments, 'started_ms': started, 'finished_ms': finished})
