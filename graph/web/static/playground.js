// The playground: GraphiQL from the binary's own assets, one tab per README
// example, queries over POST /graphql and subscriptions over graphql-ws.
(function () {
  'use strict';
  var TOKEN_KEY = 'geotimeline.token';
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var tokenInput = document.getElementById('token');
  var wsClient = null;
  var examples = [];

  function token() { return tokenInput.value.trim(); }

  function wsURL() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
  }

  // The token reaches the server as a header on HTTP and in the
  // connection_init payload on the websocket (browsers cannot set headers
  // on a websocket). A new token means a new websocket client.
  function render() {
    if (wsClient) { wsClient.dispose(); }
    var t = token();
    wsClient = graphqlWs.createClient({
      url: wsURL(),
      lazy: true,
      connectionParams: t ? { Authorization: 'Bearer ' + t } : {},
    });
    var fetcher = GraphiQL.createFetcher({
      url: '/graphql',
      wsClient: wsClient,
      headers: t ? { Authorization: 'Bearer ' + t } : {},
    });
    root.render(React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: examples.map(function (e) { return { query: '# ' + e.title + '\n' + e.query }; }),
      defaultEditorToolsVisibility: false,
    }));
  }

  tokenInput.value = sessionStorage.getItem(TOKEN_KEY) || '';
  tokenInput.addEventListener('change', function () {
    sessionStorage.setItem(TOKEN_KEY, token());
    render();
  });

  fetch('/assets/examples.json')
    .then(function (r) { return r.ok ? r.json() : []; })
    .catch(function () { return []; })
    .then(function (list) { examples = list; render(); });
})();
