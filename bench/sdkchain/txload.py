#!/usr/bin/env python3
"""Bank sends into a running sdkchain localnet, from a loop, while its history is made.

Each tx is one MsgSend of a few stake from the --key account (its private key as hex, from
`simd keys export --unarmored-hex`) to a fresh pseudo-random address (seeded), so every tx
creates an account and the state grows. Txs are built and signed here (SIGN_MODE_DIRECT over
protobuf encoded by hand, secp256k1 with the `cryptography` module, low-S) instead of one
`simd tx sign` process per tx (0.2 s each on this machine), and broadcast through the node's
REST API (/cosmos/tx/v1beta1/txs, BROADCAST_MODE_SYNC) at --rate per second. The node verifies
every signature itself: a tx this encoder got wrong is refused by CheckTx and stops the loop.

The node is restarted under the loop (the governance upgrade, the halt-height switch): a refused
connection is retried, and a sequence mismatch (the restart dropped the mempool) resumes from the
sequence the node says it expects. Stops on SIGTERM; prints the counts at the end.

usage: txload.py --api http://127.0.0.1:PORT --key HEX --from ADDR --chain-id ID [--rate R]
"""
import argparse
import base64
import hashlib
import json
import random
import re
import signal
import sys
import time
import urllib.error
import urllib.request

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ap = argparse.ArgumentParser()
ap.add_argument("--api", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--from", dest="sender", required=True)
ap.add_argument("--chain-id", required=True)
ap.add_argument("--denom", default="stake")
ap.add_argument("--rate", type=float, default=20.0)
ap.add_argument("--gas", type=int, default=200000)
args = ap.parse_args()

stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)

# --- protobuf, by hand (proto3: zero values left out, fields in order: ADR-027 canonical) ---


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_bytes(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data if data else b""


def field_str(num, s):
    return field_bytes(num, s.encode())


def field_uint(num, n):
    return varint(num << 3) + varint(n) if n else b""


def any_(type_url, value):
    return field_str(1, type_url) + field_bytes(2, value)


def coin(denom, amount):
    return field_str(1, denom) + field_str(2, str(amount))


# --- bech32 (for the recipients) ---
CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32(hrp, data):
    acc, bits, five = 0, 0, []
    for b in data:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            five.append((acc >> bits) & 31)
    if bits:
        five.append((acc << (5 - bits)) & 31)
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + five + [0] * 6:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((top >> i) & 1) else 0
    chk ^= 1
    return hrp + "1" + "".join(CHARSET[d] for d in five + [(chk >> 5 * (5 - i)) & 31 for i in range(6)])


priv = ec.derive_private_key(int(args.key, 16), ec.SECP256K1())
pub = priv.public_key().public_bytes(serialization.Encoding.X962,
                                     serialization.PublicFormat.CompressedPoint)
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
hrp = args.sender.split("1", 1)[0]
rng = random.Random(14)


def sign_tx(i, account_number, sequence):
    to = bech32(hrp, bytes(rng.randrange(256) for _ in range(20)))
    msg = field_str(1, args.sender) + field_str(2, to) + field_bytes(3, coin(args.denom, 1 + i % 97))
    body = field_bytes(1, any_("/cosmos.bank.v1beta1.MsgSend", msg))
    pubkey = any_("/cosmos.crypto.secp256k1.PubKey", field_bytes(1, pub))
    mode_info = field_bytes(1, field_uint(1, 1))  # single { mode: SIGN_MODE_DIRECT }
    signer = field_bytes(1, pubkey) + field_bytes(2, mode_info) + field_uint(3, sequence)
    fee = field_uint(2, args.gas)
    auth_info = field_bytes(1, signer) + field_bytes(2, fee)
    doc = (field_bytes(1, body) + field_bytes(2, auth_info) + field_str(3, args.chain_id) +
           field_uint(4, account_number))
    r, s = decode_dss_signature(priv.sign(doc, ec.ECDSA(hashes.SHA256())))
    if s > N // 2:
        s = N - s
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    raw = field_bytes(1, body) + field_bytes(2, auth_info) + field_bytes(3, sig)
    return base64.b64encode(raw).decode()


def call(path, body=None):
    req = urllib.request.Request(args.api + path, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)


def account():
    while not stop:
        try:
            a = call(f"/cosmos/auth/v1beta1/accounts/{args.sender}")["account"]
            return int(a.get("account_number", 0)), int(a.get("sequence", 0))
        except (urllib.error.URLError, OSError, ValueError, KeyError):
            time.sleep(0.2)
    sys.exit(0)


account_number, seq = account()
i = accepted = retried = 0
period = 1.0 / args.rate
next_at = time.monotonic()
pending = None
while not stop:
    if pending is None:
        pending = sign_tx(i, account_number, seq)
    try:
        res = call("/cosmos/tx/v1beta1/txs", {"tx_bytes": pending, "mode": "BROADCAST_MODE_SYNC"})
    except (urllib.error.URLError, OSError, ValueError):
        retried += 1  # the node is restarting
        time.sleep(0.2)
        continue
    r = res.get("tx_response", {})
    code, log = r.get("code", 0), r.get("raw_log", "")
    if code == 0 or code == 19:  # accepted, or already in the mempool
        accepted += code == 0
        i += 1
        seq += 1
        pending = None
    elif code == 32:  # account sequence mismatch: the restart dropped the mempool
        m = re.search(r"expected (\d+)", log)
        if not m:
            sys.exit(f"txload: sequence mismatch without the expected sequence: {log}")
        seq = int(m.group(1))
        pending = None
        retried += 1
        continue
    elif code == 4 or "signature verification failed" in log:
        sys.exit(f"txload: the node refused the signature (code {code}): {log}")
    else:
        retried += 1
        time.sleep(0.2)
        continue
    next_at += period
    delay = next_at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    else:
        next_at = time.monotonic()
print(f"txload: {accepted} txs accepted, {retried} retries, last sequence {seq}", flush=True)
