import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Cluster, LocalCluster } from './cluster';
import { RedisCluster } from './redis-cluster';

/** `Cluster`: Redis when REDIS_URL is set, otherwise a lone instance. */
@Global()
@Module({})
export class ClusterModule {
  static forRoot(config: AppConfig): DynamicModule {
    const provider = config.redisUrl
      ? { provide: Cluster, useFactory: () => new RedisCluster(config.redisUrl as string, config.redisPrefix, config.presenceLeaseMs) }
      : { provide: Cluster, useClass: LocalCluster };
    return { module: ClusterModule, providers: [provider], exports: [Cluster] };
  }
}
