"""Evaluates flags for many keys with the Python SDK, for the conformance test.

stdin:  {"base", "sdk_key", "flags": [...], "cases": [{"key", "bucketingKey"?, "attributes"}]}
stdout: {"results": [{flag: [treatment, label, change_number, config]}]} in the cases' order.
Labels and change numbers come from the SDK's impression listener (the public API returns
only treatments and configs). NONE mode: nothing but counts and keys is sent to the server.
"""
from splitio.client.key import Key
from splitio.client.listener import ImpressionListener

from split_sdk import destroy, factory, read_input, write_output


class Labels(ImpressionListener):
    def __init__(self):
        self.last = {}

    def log_impression(self, data):
        imp = data['impression']
        self.last[imp.feature_name] = (imp.label, imp.change_number)


request = read_input()
labels = Labels()
f = factory(request['base'], request['sdk_key'], 'NONE', listener=labels)
client = f.client()
flags = request['flags']
results = []
for case in request['cases']:
    key = Key(case['key'], case['bucketingKey']) if case.get('bucketingKey') else case['key']
    labels.last = {}
    answers = client.get_treatments_with_config(key, flags, case['attributes'])
    row = {}
    for flag in flags:
        treatment, config = answers[flag]
        label, change_number = labels.last.get(flag, (None, None))
        row[flag] = [treatment, label, change_number, config]
    results.append(row)
destroy(f)
write_output({'results': results})
