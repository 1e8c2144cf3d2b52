"""The OpenAI Python client against `paligemma serve`: answers must equal `paligemma generate --json`'s.

Run through scripts/serve/check, which starts the server and passes generate's outputs.
"""
import argparse
import base64
import json
import mimetypes
import sys
from typing import Any

import openai


def content(prompt: str, image_url: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": prompt}, {"type": "image_url", "image_url": {"url": image_url}}]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--prompt", required=True)
    ap.add_argument("--max-tokens", type=int, required=True)
    ap.add_argument("--greedy", required=True, help="generate --json output, greedy")
    ap.add_argument("--sampled", required=True,
                    help="generate --json output, --temperature 0.8 --top-p 0.95 --seed 1234")
    a = ap.parse_args()
    greedy, sampled = json.loads(a.greedy), json.loads(a.sampled)
    mime = mimetypes.guess_type(a.image)[0] or "image/jpeg"
    with open(a.image, "rb") as f:
        data_uri = f"data:{mime};base64," + base64.b64encode(f.read()).decode()
    client = openai.OpenAI(base_url=a.base_url, api_key="unused")
    model = client.models.list().data[0].id
    failures = []

    def check(name: str, got: object, want: object) -> None:
        ok = got == want
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {got!r}" + ("" if ok else f" (generate: {want!r})"))
        if not ok:
            failures.append(name)

    msgs = [{"role": "user", "content": content(a.prompt, data_uri)}]
    r = client.chat.completions.create(model=model, messages=msgs, max_tokens=a.max_tokens, temperature=0)
    check("chat, greedy", r.choices[0].message.content, greedy["text"])
    check("usage.completion_tokens", r.usage.completion_tokens, len(greedy["tokens"]))

    stream = client.chat.completions.create(model=model, messages=msgs, max_tokens=a.max_tokens, temperature=0,
                                            stream=True)
    streamed = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    check("chat, greedy, streamed", streamed, greedy["text"])

    r = client.chat.completions.create(model=model, messages=msgs, max_tokens=a.max_tokens, temperature=0.8,
                                       top_p=0.95, seed=1234)
    check("chat, sampled, seed 1234", r.choices[0].message.content, sampled["text"])
    stream = client.chat.completions.create(model=model, messages=msgs, max_tokens=a.max_tokens, temperature=0.8,
                                            top_p=0.95, seed=1234, stream=True)
    check("chat, sampled, seed 1234, streamed", "".join(c.choices[0].delta.content or "" for c in stream if c.choices),
          sampled["text"])

    try:
        url_msgs = [{"role": "user", "content": content(a.prompt, "https://example.com/cat.jpg")}]
        client.chat.completions.create(model=model, max_tokens=4, messages=url_msgs)
        check("http image URL refused", "accepted", "400")
    except openai.BadRequestError as e:
        check("http image URL refused", e.status_code, 400)

    print("serve/check: " + ("all passed" if not failures else f"{len(failures)} failed: {', '.join(failures)}"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
