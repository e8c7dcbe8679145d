// Command gpx_vigil is the backend of the Vigil data source for Grafana
// (plugin id vigil-datasource): Grafana starts it and talks to it over
// gRPC; it reads query results and event streams from a Vigil server.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/vigilhq/vigil/reactions/grafana/pkg/plugin"
)

func main() {
	if err := datasource.Manage(plugin.ID, plugin.NewDatasource, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
