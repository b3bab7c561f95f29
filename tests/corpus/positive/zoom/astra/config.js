module.exports = {
  accountId: '6aORQ2qI8hqyLFDEoJoHE7',
  clientId: 'HTNpVquZc87xcKXFwamYDL',
  clientSecret: 'Yzhxx1IvHtiE1lXad62m9gv5rz5nQ5TV',
  zoomApiBaseUrl: 'https://api.zoom.us/v2',
};
