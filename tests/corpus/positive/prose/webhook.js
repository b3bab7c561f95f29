// Zoom webhook handler
// Secret Token: L8jmxgp15V0T36UsNexni4a4oZ6UuDnp
export function verify(req) {
  if (req.body.secretToken !== 'y2IKRZDwgHo24hGj1PMWjcDmxtMVhIf4') {
    throw new Error("bad token");
  }
  console.log('Secret Token: r7AFqaZguuCidzOhGRobcxt9OS5OWMKc');
}
