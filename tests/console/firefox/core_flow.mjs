// The console's core flow in Firefox (Debian's firefox-esr over WebDriver BiDi, by puppeteer-core):
// sign in, upload the sample, draw a title and three fields with the mouse, save, reload and see
// them. test_console_firefox.py starts the server, runs this and checks what the server stored.
//
// Environment: CONSOLE_BASE (http://127.0.0.1:PORT), CONSOLE_TOKEN, CONSOLE_SAMPLE (a PNG),
// CONSOLE_SAMPLE_WIDTH, CONSOLE_AREAS (JSON: {"title": [x0, y0, x1, y1], "fields": {name: box}}),
// CONSOLE_SCREENSHOT (a path), FIREFOX (the executable). Prints one JSON line: {"id", "fields"}.
import puppeteer from "puppeteer-core";

const env = process.env;
const base = env.CONSOLE_BASE;
const areas = JSON.parse(env.CONSOLE_AREAS);
const sampleWidth = Number(env.CONSOLE_SAMPLE_WIDTH);
const timeout = 90_000;

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: env.FIREFOX || "/usr/bin/firefox-esr",
  headless: true,
  protocolTimeout: timeout,
});
const problems = [];
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);
  await page.setViewport({ width: 1280, height: 800 });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  // Every request goes through here: one to any host but 127.0.0.1 is refused and reported.
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol === "blob:" || url.protocol === "data:" || url.hostname === "127.0.0.1") request.continue();
    else { problems.push(`external request: ${request.url()}`); request.abort(); }
  });

  await page.goto(`${base}/console`);
  await page.locator("#admin-token").fill(env.CONSOLE_TOKEN);
  await page.locator("form[aria-label='Sign in'] button[type=submit]").click();
  await page.waitForSelector("#nav:not([hidden])");

  await page.goto(`${base}/console#/edit/new`);
  const file = await page.waitForSelector("#sample-file");
  await file.uploadFile(env.CONSOLE_SAMPLE);
  await page.waitForFunction(() => {
    const img = document.querySelector(".stage .canvas img");
    return img && img.src.startsWith("blob:") && img.complete && img.naturalWidth > 0;
  });
  await page.locator("#tpl-name").fill("Membership (Firefox)");

  const drag = async (box) => {
    const frame = await page.$eval(".stage .canvas img", (img) => {
      const r = img.getBoundingClientRect();
      return { x: r.left, y: r.top, width: r.width };
    });
    const s = frame.width / sampleWidth;
    const [x0, y0, x1, y1] = [frame.x + box[0] * s, frame.y + box[1] * s, frame.x + box[2] * s, frame.y + box[3] * s];
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, { steps: 4 });
    await page.mouse.move(x1, y1, { steps: 4 });
    await page.mouse.up();
  };
  const setName = async (name) => {
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === "prop-name");
    await page.locator("#prop-name").fill(name);
  };

  await page.locator("button[data-tool=title]").click();
  await drag(areas.title);
  await setName("Membership Application");
  await page.locator("button[data-tool=field]").click();
  for (const [name, box] of Object.entries(areas.fields)) {
    await drag(box);
    await setName(name);
  }
  await page.screenshot({ path: env.CONSOLE_SCREENSHOT });
  await page.locator("#save").click();
  await page.waitForFunction(() => /#\/edit\/\d+$/.test(location.hash) && document.body.textContent.includes("version 1"));
  const id = Number(page.url().split("/").pop());

  await page.reload();
  await page.waitForSelector("#field-list li");
  const fields = await page.$$eval("#field-list li button", (buttons) => buttons.map((b) => b.textContent));
  const shapes = await page.$$eval("svg rect.shape[data-kind=field]", (nodes) => nodes.length);
  if (shapes !== fields.length) problems.push(`${shapes} shapes drawn for ${fields.length} fields`);
  console.log(JSON.stringify({ id, fields }));
} catch (error) {
  problems.push(`failed: ${error.stack || error}`);
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
