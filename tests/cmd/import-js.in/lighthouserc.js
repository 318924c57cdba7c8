module.exports = {
  ci: {assert: {preset: "lighthouse:recommended"}},
};
