#!/usr/bin/env node
// STAND-IN for the vault client's loopback listener, used ONLY to check the browser driver.
// POST (or GET) /callback with a form field `token`: appends the token JSON as one line to
// --tokens-out and answers a small "you can close this window" page.
//
//   node fake_client.mjs --port P --tokens-out FILE
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: { port: { type: 'string' }, 'tokens-out': { type: 'string' } } });
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const token = (req.method === 'POST' ? new URLSearchParams(body) : url.searchParams).get('token');
    if (url.pathname !== '/callback' || !token) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('no token');
      return;
    }
    appendFileSync(opt['tokens-out'], JSON.stringify({ method: req.method, token: JSON.parse(token) }) + '\n');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      .end('<!doctype html><title>SSO Connect</title><p>Login complete. You can close this window.</p>');
  });
}).listen(Number(opt.port), '127.0.0.1', () => console.error(`fake_client: listening on http://127.0.0.1:${opt.port}`));
