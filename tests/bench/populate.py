#!/usr/bin/env python3
"""Fills a Maildir with N varied messages, written directly (tmp/ is skipped: nothing
reads the Maildir while this runs).

The mix: plain, HTML, alternative and with an attachment; encoded-word subjects and names
in several languages (German, French, Japanese); and conversations: about a third of the
messages are replies, with In-Reply-To and the whole References chain, in threads of 2 to
12 messages that interleave with other mail over a few days.

usage: populate.py MAILDIR COUNT UID GID [small]
  small: bodies of a few words and a small attachment (for the 1,000,000-message run)
"""
import base64, os, random, sys, time, email.utils

root, count, uid, gid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
small = len(sys.argv) > 5 and sys.argv[5] == "small"
random.seed(42)
for sub in ("", "cur", "new", "tmp"):
    os.makedirs(os.path.join(root, sub), exist_ok=True)
    os.chown(os.path.join(root, sub), uid, gid)


def b64(text):
    return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="


names = ["Alice Ferris", "Bob Okafor", b64("Jörg Müller"), b64("田中 花子"), "Chidi Nwosu", "Dana Weiss",
         "CI Bot", "The Weekly Byte", "=?ISO-8859-1?Q?Fran=E7ois_L=E9v=EAque?="]
subjects = ["Quarterly report {n}", "lunch tomorrow? {n}", "[build] main passed {n}", "Invoice {n}",
            "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln_{n}?=", b64("会議の件 {n}"),
            "Meeting notes #{n}", "=?UTF-8?Q?Party_=F0=9F=8E=89_{n}?=", "Your order {n} has shipped"]
# filler words, and rarer topical ones (each in a few percent of the messages)
filler = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt".split()
topical = "budget deadline review Müller café naïve résumé 東京 会議 予定".split()
words = filler + topical
weights = [1.0] * len(filler) + [0.002] * len(topical)
attachment = base64.encodebytes(os.urandom(300 if small else 3000)).decode()
now = time.time()
base = int(now)
# open conversations: [message-id of each message so far, subject]
open_threads = []
for i in range(count):
    n = i + 1
    mid = f"<m{n}@bench.example>"
    date = email.utils.formatdate(now - (count - i) * 900)
    who = names[i % len(names)]
    refs = ""
    if open_threads and random.random() < 0.35:
        t = random.randrange(len(open_threads))
        chain, subj0 = open_threads[t]
        subj = "Re: " + subj0
        refs = f"In-Reply-To: {chain[-1]}\r\nReferences: {' '.join(chain[-10:])}\r\n"
        chain.append(mid)
        if len(chain) >= random.randint(2, 12):
            open_threads.pop(t)
    else:
        subj = subjects[i % len(subjects)].replace("{n}", str(n))
        if random.random() < 0.3:
            open_threads.append(([mid], subj))
            if len(open_threads) > 200:
                open_threads.pop(0)
    lo, hi = (5, 40) if small else (30, 600)
    body = " ".join(random.choices(words, weights, k=random.randint(lo, hi)))
    head = (f"From: {who} <user{i % 97}@bench.example>\r\nTo: bench@localhost\r\nSubject: {subj}\r\n"
            f"Date: {date}\r\nMessage-ID: {mid}\r\n{refs}MIME-Version: 1.0\r\n")
    kind = i % 4
    if kind == 0:
        msg = head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
    elif kind == 1:
        msg = head + "Content-Type: text/html; charset=utf-8\r\n\r\n<p>" + body + "</p>\r\n"
    elif kind == 2:
        msg = (head + 'Content-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\n'
               'Content-Type: text/plain; charset=utf-8\r\n\r\n' + body
               + "\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>" + body + "</p>\r\n--b--\r\n")
    else:
        msg = (head + 'Content-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\n'
               'Content-Type: text/plain; charset=utf-8\r\n\r\n'
               + body + '\r\n--m\r\nContent-Type: application/octet-stream; name="data.bin"\r\n'
               'Content-Disposition: attachment; filename="data.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
               + attachment + "--m--\r\n")
    raw = msg.encode()
    seen = "S" if i % 3 else ""
    path = os.path.join(root, "cur", f"{base}.M{i}P{os.getpid()}.bench,S={len(raw)}:2,{seen}")
    with open(path, "wb") as f:
        f.write(raw)
    os.chown(path, uid, gid)
    if n % 100000 == 0:
        print(f"  {n} messages written", file=sys.stderr)
print(f"wrote {count} messages into {root}")
